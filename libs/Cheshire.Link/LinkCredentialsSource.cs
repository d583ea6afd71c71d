using Cheshire.Identity;

namespace Cheshire.Link;

/// <summary>
/// A node's link credentials, kept fresh for a long-running node: <see cref="Current"/> makes new ones (a new TLS key
/// and certificate for the same node and user) once two thirds of the lifetime have passed. The previous credentials
/// stay usable until the renewal after, so a handshake that began with them can finish.
/// </summary>
public sealed class LinkCredentialsSource : IDisposable
{
    private readonly NodeIdentity _node;
    private readonly UserBinding _binding;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private LinkCredentials _current;
    private LinkCredentials? _previous;
    private DateTimeOffset _renewAt;

    public LinkCredentialsSource(NodeIdentity node, UserBinding binding, TimeSpan? lifetime = null, TimeProvider? clock = null)
    {
        _node = node;
        _binding = binding;
        _lifetime = lifetime ?? LinkCredentials.DefaultLifetime;
        _clock = clock ?? TimeProvider.System;
        _current = Make(out _renewAt);
    }

    public LinkCredentialsSource(NodeIdentity node, UserIdentity user, TimeSpan? lifetime = null, TimeProvider? clock = null)
        : this(node, UserBinding.Create(user, node.PublicKey), lifetime, clock)
    {
    }

    /// <summary>The credentials to present now.</summary>
    public LinkCredentials Current
    {
        get
        {
            lock (_gate)
            {
                if (_clock.GetUtcNow() >= _renewAt)
                {
                    _previous?.Dispose();
                    _previous = _current;
                    _current = Make(out _renewAt);
                }
                return _current;
            }
        }
    }

    private LinkCredentials Make(out DateTimeOffset renewAt)
    {
        var made = LinkCredentials.Create(_node, _binding, _lifetime, _clock);
        renewAt = _clock.GetUtcNow() + _lifetime * 2 / 3;
        return made;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _previous?.Dispose();
            _current.Dispose();
        }
    }
}
