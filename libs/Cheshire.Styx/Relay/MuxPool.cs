namespace Cheshire.Styx.Relay;

/// <summary>
/// Numbers below a limit handed out and taken back (a relay's tags, or its fids, on one shared connection): freed
/// numbers are used again first, so the numbers in use stay small. Thread-safe.
/// </summary>
public sealed class MuxPool(uint limit)
{
    /// <summary>Link tags: every tag but NOTAG (0xFFFF).</summary>
    public static MuxPool Tags() => new(Protocol.StyxConstants.NoTag);

    /// <summary>Link fids: every fid but NOFID (0xFFFFFFFF).</summary>
    public static MuxPool Fids() => new(Protocol.StyxConstants.NoFid);

    private readonly Stack<uint> _free = new();
    private readonly Lock _gate = new();
    private uint _next;
    private int _inUse;

    /// <summary>Numbers handed out and not taken back.</summary>
    public int InUse => Volatile.Read(ref _inUse);

    /// <summary>A number not in use; false when all <c>limit</c> of them are.</summary>
    public bool TryRent(out uint number)
    {
        lock (_gate)
        {
            if (!_free.TryPop(out number))
            {
                if (_next == limit) return false;
                number = _next++;
            }
            _inUse++;
            return true;
        }
    }

    /// <summary>Takes back a number from <see cref="TryRent"/>.</summary>
    public void Return(uint number)
    {
        lock (_gate)
        {
            _free.Push(number);
            _inUse--;
        }
    }
}
