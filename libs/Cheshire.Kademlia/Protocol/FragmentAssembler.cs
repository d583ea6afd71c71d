using System.Net;
using Cheshire.Kademlia.Wire;

namespace Cheshire.Kademlia.Protocol;

public enum FragmentOutcome
{
    /// <summary>Kept; the message is not complete yet (or this piece was a repeat).</summary>
    Pending,
    /// <summary>The last missing piece: the message is complete.</summary>
    Complete,
    /// <summary>Refused: bad index or count, too large, or too many incomplete messages from that address.</summary>
    Refused,
}

/// <summary>
/// Joins the fragments of messages longer than one datagram. Bounded everywhere: pieces per message,
/// bytes per message, incomplete messages per source address, bytes held in total, and time.
/// </summary>
internal sealed class FragmentAssembler(KademliaOptions options, TimeProvider time)
{
    /// <summary>Envelope bytes around the data of one fragment (tx, sender id, version, fragment header).</summary>
    public const int Overhead = 64;
    public const int MaxPerSource = 16;

    private sealed class Partial(IPAddress source, int count, long started)
    {
        public readonly IPAddress Source = source;
        public readonly byte[]?[] Parts = new byte[count][];
        public readonly long Started = started;
        public int Received;
        public int Bytes;
    }

    private readonly Dictionary<(IPEndPoint Remote, ulong Id), Partial> _partials = [];
    private readonly Dictionary<IPAddress, int> _perSource = [];
    private readonly Lock _lock = new();
    private readonly long _timeoutTicks = (long)(options.ReassemblyTimeout.TotalSeconds * time.TimestampFrequency);
    private int _bytes;
    private long _lastExpiry;

    /// <summary>Data bytes a fragment of a <paramref name="datagramSize"/>-byte datagram carries.</summary>
    public static int PayloadPerFragment(int datagramSize) => datagramSize - Overhead;

    /// <summary>The most fragments a message may have: enough for the largest message in the smallest allowed datagrams.</summary>
    public int MaxFragments => options.MaxMessageSize / PayloadPerFragment(512) + 1;

    public int Incomplete
    {
        get { lock (_lock) return _partials.Count; }
    }

    public int BytesHeld
    {
        get { lock (_lock) return _bytes; }
    }

    public FragmentOutcome Add(Fragment fragment, IPEndPoint remote, out byte[]? message)
    {
        message = null;
        if (fragment.Count < 2 || fragment.Count > MaxFragments || fragment.Index >= fragment.Count
            || fragment.Data.IsEmpty || fragment.Data.Length > options.MaxMessageSize)
            return FragmentOutcome.Refused;
        var now = time.GetTimestamp();
        lock (_lock)
        {
            ExpireLocked(now);
            var slot = (remote, fragment.MessageId);
            if (!_partials.TryGetValue(slot, out var partial))
            {
                if (_perSource.GetValueOrDefault(remote.Address) >= MaxPerSource) return FragmentOutcome.Refused;
                partial = new Partial(remote.Address, (int)fragment.Count, now);
                _partials[slot] = partial;
                _perSource[remote.Address] = _perSource.GetValueOrDefault(remote.Address) + 1;
            }
            if (partial.Parts.Length != fragment.Count)
            {
                RemoveLocked(slot, partial);
                return FragmentOutcome.Refused;
            }
            if (partial.Parts[fragment.Index] is not null) return FragmentOutcome.Pending;
            if (partial.Bytes + fragment.Data.Length > options.MaxMessageSize || _bytes + fragment.Data.Length > options.MaxReassemblyBytes)
            {
                RemoveLocked(slot, partial);
                return FragmentOutcome.Refused;
            }
            partial.Parts[fragment.Index] = fragment.Data.ToByteArray();
            partial.Received++;
            partial.Bytes += fragment.Data.Length;
            _bytes += fragment.Data.Length;
            if (partial.Received < partial.Parts.Length) return FragmentOutcome.Pending;
            RemoveLocked(slot, partial);
            message = new byte[partial.Bytes];
            var at = 0;
            foreach (var part in partial.Parts)
            {
                part!.CopyTo(message, at);
                at += part.Length;
            }
            return FragmentOutcome.Complete;
        }
    }

    /// <summary>Drops incomplete messages older than the reassembly timeout.</summary>
    public void Sweep()
    {
        lock (_lock) ExpireLocked(time.GetTimestamp());
    }

    private void ExpireLocked(long now)
    {
        if (_partials.Count == 0 || now - _lastExpiry < _timeoutTicks / 4) return;
        _lastExpiry = now;
        List<(IPEndPoint, ulong)>? expired = null;
        foreach (var (slot, partial) in _partials)
            if (now - partial.Started >= _timeoutTicks) (expired ??= []).Add(slot);
        if (expired is null) return;
        foreach (var slot in expired) RemoveLocked(slot, _partials[slot]);
    }

    private void RemoveLocked((IPEndPoint, ulong) slot, Partial partial)
    {
        _partials.Remove(slot);
        _bytes -= partial.Bytes;
        var left = _perSource[partial.Source] - 1;
        if (left == 0) _perSource.Remove(partial.Source);
        else _perSource[partial.Source] = left;
    }
}
