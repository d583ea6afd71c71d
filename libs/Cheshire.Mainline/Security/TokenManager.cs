using System.Net;
using System.Security.Cryptography;

namespace Cheshire.Mainline.Security;

/// <summary>
/// get_peers / get write tokens (BEP 5): SHA1(secret + requester IP), truncated. The secret rotates every
/// <see cref="RotationInterval"/>; tokens from the current and the previous secret are accepted.
/// </summary>
public sealed class TokenManager
{
    public const int TokenLength = 8;
    private readonly TimeProvider _clock;
    private readonly Lock _lock = new();
    private byte[] _current = RandomNumberGenerator.GetBytes(16);
    private byte[] _previous = RandomNumberGenerator.GetBytes(16);
    private DateTimeOffset _rotatedAt;

    public TokenManager(TimeProvider clock, TimeSpan rotationInterval)
    {
        _clock = clock;
        RotationInterval = rotationInterval;
        _rotatedAt = clock.GetUtcNow();
    }

    public TimeSpan RotationInterval { get; }

    public byte[] Generate(IPAddress requester)
    {
        lock (_lock)
        {
            RotateIfDue();
            return Compute(_current, requester);
        }
    }

    /// <summary>The same token as <see cref="Generate(IPAddress)"/>, written into <paramref name="destination"/> (8 bytes).</summary>
    public void Generate(IPAddress requester, Span<byte> destination)
    {
        if (requester.IsIPv4MappedToIPv6)
            requester = requester.MapToIPv4();
        Span<byte> input = stackalloc byte[16 + 16];
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        requester.TryWriteBytes(input[16..], out var addressLength);
        lock (_lock)
        {
            RotateIfDue();
            _current.CopyTo(input);
        }
        SHA1.HashData(input[..(16 + addressLength)], hash);
        hash[..TokenLength].CopyTo(destination);
    }

    public bool Validate(ReadOnlySpan<byte> token, IPAddress requester)
    {
        lock (_lock)
        {
            RotateIfDue();
            return token.Length == TokenLength
                && (CryptographicOperations.FixedTimeEquals(token, Compute(_current, requester))
                    || CryptographicOperations.FixedTimeEquals(token, Compute(_previous, requester)));
        }
    }

    private void RotateIfDue()
    {
        var now = _clock.GetUtcNow();
        if (now - _rotatedAt < RotationInterval)
            return;
        // After more than two intervals of silence even the previous secret is stale.
        _previous = now - _rotatedAt >= 2 * RotationInterval ? RandomNumberGenerator.GetBytes(16) : _current;
        _current = RandomNumberGenerator.GetBytes(16);
        _rotatedAt = now;
    }

    private static byte[] Compute(byte[] secret, IPAddress requester)
    {
        if (requester.IsIPv4MappedToIPv6)
            requester = requester.MapToIPv4();
        var address = requester.GetAddressBytes();
        var input = new byte[secret.Length + address.Length];
        secret.CopyTo(input, 0);
        address.CopyTo(input, secret.Length);
        return SHA1.HashData(input)[..TokenLength];
    }
}
