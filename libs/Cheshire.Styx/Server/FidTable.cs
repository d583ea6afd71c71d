using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Server;

/// <summary>The fids of one session.</summary>
internal sealed class FidTable
{
    private readonly Dictionary<uint, Fid> _fids = [];
    private readonly Lock _lock = new();

    public int Count
    {
        get { lock (_lock) return _fids.Count; }
    }

    public Fid Get(uint number)
    {
        lock (_lock)
        {
            return _fids.TryGetValue(number, out var fid) ? fid : throw new StyxErrorException(Errno.EBADF, $"unknown fid {number}");
        }
    }

    public void Add(Fid fid)
    {
        if (fid.Number == StyxConstants.NoFid) throw new StyxErrorException(Errno.EBADF, "NOFID cannot be used");
        lock (_lock)
        {
            if (!_fids.TryAdd(fid.Number, fid)) throw new StyxErrorException(Errno.EBADF, $"fid {fid.Number} already in use");
        }
    }

    public void EnsureFree(uint number)
    {
        lock (_lock)
        {
            if (_fids.ContainsKey(number)) throw new StyxErrorException(Errno.EBADF, $"fid {number} already in use");
        }
    }

    public Fid Remove(uint number)
    {
        lock (_lock)
        {
            return _fids.Remove(number, out var fid) ? fid : throw new StyxErrorException(Errno.EBADF, $"unknown fid {number}");
        }
    }

    public List<Fid> RemoveAll()
    {
        lock (_lock)
        {
            var all = _fids.Values.ToList();
            _fids.Clear();
            return all;
        }
    }
}
