using Cheshire.Styx.Messages;

namespace Cheshire.Styx.FileSystem.Ram;

/// <summary>
/// Users of one tree: numeric ids from n_uname, and for plain 9P2000 (names only) a stable id per name, so that
/// "glenda" on two connections is the same owner. Also remembers a name per id for stat's uid/gid strings.
/// </summary>
internal sealed class RamUsers
{
    private const uint FirstNamedId = 100_000;
    private readonly Dictionary<string, uint> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<uint, string> _names = [];
    private readonly Lock _lock = new();
    private uint _nextId = FirstNamedId;

    public RamUsers(string owner, uint ownerId)
    {
        Remember(owner, ownerId);
        Remember("root", 0);
    }

    public RamUser FromAttach(AttachRequest request)
    {
        lock (_lock)
        {
            if (request.NUname != Tauth.NoUid)
            {
                if (request.Uname.Length > 0) Remember(request.Uname, request.NUname);
                return new RamUser(request.NUname, request.NUname, NameOfLocked(request.NUname)) { HasNumericId = true };
            }
            string name = request.Uname.Length > 0 ? request.Uname : "none";
            if (!_ids.TryGetValue(name, out uint id))
            {
                id = _nextId++;
                Remember(name, id);
            }
            return new RamUser(id, id, name);
        }
    }

    public string NameOf(uint id)
    {
        lock (_lock) return NameOfLocked(id);
    }

    public uint? IdOf(string name)
    {
        lock (_lock) return _ids.TryGetValue(name, out uint id) ? id : uint.TryParse(name, out id) ? id : null;
    }

    private string NameOfLocked(uint id) => _names.TryGetValue(id, out var name) ? name : id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void Remember(string name, uint id)
    {
        _ids.TryAdd(name, id);
        _names.TryAdd(id, name);
    }
}
