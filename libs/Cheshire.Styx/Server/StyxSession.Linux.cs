using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Server;

/// <summary>9P2000.L operations.</summary>
public sealed partial class StyxSession
{
    private async ValueTask<Message> StatfsAsync(Tstatfs m, CancellationToken ct)
    {
        var s = await _fids.Get(m.Fid).Node.GetFileSystemStatisticsAsync(ct);
        return new Rstatfs(m.Tag, s.FsType, s.BlockSize, s.Blocks, s.BlocksFree, s.BlocksAvailable, s.Files, s.FilesFree,
            s.FsId, s.NameLength);
    }

    private async ValueTask<Message> LopenAsync(Tlopen m, CancellationToken ct)
    {
        var fid = _fids.Get(m.Fid);
        var qid = await OpenFidAsync(fid, ToOptions(m.Flags, fid.User.Name), removeOnClose: false, ct);
        return new Rlopen(m.Tag, qid, IoUnit);
    }

    private async ValueTask<Message> LcreateAsync(Tlcreate m, CancellationToken ct)
    {
        var fid = _fids.Get(m.Fid);
        var node = await CreateChildAsync(fid, m.Name, UnixMode.Regular | (m.Mode & UnixMode.PermissionMask), m.Gid, null, ct);
        fid.Path = new NodePath(node, fid.Path);
        var qid = await OpenFidAsync(fid, ToOptions(m.Flags & ~LinuxOpenFlags.Truncate, fid.User.Name), removeOnClose: false, ct);
        return new Rlcreate(m.Tag, qid, IoUnit);
    }

    private async ValueTask<Message> SymlinkAsync(Tsymlink m, CancellationToken ct)
    {
        var dir = _fids.Get(m.Fid);
        if (!dir.Node.Qid.IsDirectory) throw new StyxErrorException(Errno.ENOTDIR);
        var node = await dir.Node.CreateAsync(m.Name, new CreateOptions(UnixMode.Symlink | 0x1FF, dir.User.Id, m.Gid, dir.User.Name, m.Target), ct);
        return new Rsymlink(m.Tag, node.Qid);
    }

    private async ValueTask<Message> MknodAsync(Tmknod m, CancellationToken ct)
    {
        var dir = _fids.Get(m.DirectoryFid);
        if (!dir.Node.Qid.IsDirectory) throw new StyxErrorException(Errno.ENOTDIR);
        uint mode = (m.Mode & UnixMode.TypeMask) == 0 ? UnixMode.Regular | m.Mode : m.Mode;
        if ((mode & UnixMode.TypeMask) == UnixMode.Directory) throw new StyxErrorException(Errno.EINVAL);
        var node = await dir.Node.CreateAsync(m.Name, new CreateOptions(mode, dir.User.Id, m.Gid, dir.User.Name) { DeviceMajor = m.Major, DeviceMinor = m.Minor }, ct);
        return new Rmknod(m.Tag, node.Qid);
    }

    private async ValueTask<Message> RenameAsync(Trename m, CancellationToken ct)
    {
        var fid = _fids.Get(m.Fid);
        var dir = _fids.Get(m.DirectoryFid);
        await fid.Node.RenameAsync(dir.Node, m.Name, ct);
        return new Rrename(m.Tag);
    }

    private async ValueTask<Message> ReadlinkAsync(Treadlink m, CancellationToken ct) =>
        new Rreadlink(m.Tag, await _fids.Get(m.Fid).Node.ReadLinkAsync(ct));

    private async ValueTask<Message> GetattrAsync(Tgetattr m, CancellationToken ct) =>
        AttributeConversions.ToGetattr(m.Tag, await _fids.Get(m.Fid).Node.GetAttributesAsync(ct));

    private async ValueTask<Message> SetattrAsync(Tsetattr m, CancellationToken ct)
    {
        var fid = _fids.Get(m.Fid);
        var changes = AttributeConversions.FromSetattr(m, fid.User.Name) with
        {
            ThroughWritableHandle = fid.Open is { IsDirectory: false, Options.CanWrite: true },
        };
        if (changes.Size is not null && fid.Node.Qid.IsDirectory) throw new StyxErrorException(Errno.EISDIR);
        if (!changes.IsEmpty) await fid.Node.SetAttributesAsync(changes, ct);
        return new Rsetattr(m.Tag);
    }

    private ValueTask<Message> XattrwalkAsync(Txattrwalk m)
    {
        _fids.Get(m.Fid);
        throw new StyxErrorException(Errno.EOPNOTSUPP, "extended attributes are not supported");
    }

    private ValueTask<Message> XattrcreateAsync(Txattrcreate m)
    {
        _fids.Get(m.Fid);
        throw new StyxErrorException(Errno.EOPNOTSUPP, "extended attributes are not supported");
    }

    private ValueTask<Message> ReaddirAsync(Treaddir m, CancellationToken ct)
    {
        var fid = _fids.Get(m.Fid);
        if (!fid.Node.Qid.IsDirectory) throw new StyxErrorException(Errno.ENOTDIR);
        return DirectoryReads.ReadDirentsAsync(fid, m, MaxReadCount(m.Count), ct);
    }

    private async ValueTask<Message> FsyncAsync(Tfsync m, CancellationToken ct)
    {
        var open = _fids.Get(m.Fid).RequireOpen();
        if (open.File is not null) await open.File.FlushAsync(ct);
        return new Rfsync(m.Tag);
    }

    private async ValueTask<Message> LockAsync(Tlock m, CancellationToken ct)
    {
        var open = _fids.Get(m.Fid).RequireOpen();
        var status = open.File is null
            ? LockStatus.Success
            : await open.File.LockAsync(new LockRequest(m.LockType, m.Flags, m.Start, m.Length, m.ProcId, m.ClientId), ct);
        return new Rlock(m.Tag, (byte)status);
    }

    private async ValueTask<Message> GetlockAsync(Tgetlock m, CancellationToken ct)
    {
        var open = _fids.Get(m.Fid).RequireOpen();
        var request = new LockRequest(m.LockType, 0, m.Start, m.Length, m.ProcId, m.ClientId);
        var conflict = open.File is null ? null : await open.File.GetLockAsync(request, ct);
        return conflict is null
            ? new Rgetlock(m.Tag, Rgetlock.Unlocked, m.Start, m.Length, m.ProcId, m.ClientId)
            : new Rgetlock(m.Tag, conflict.Type, conflict.Start, conflict.Length, conflict.ProcId, conflict.ClientId);
    }

    private async ValueTask<Message> LinkAsync(Tlink m, CancellationToken ct)
    {
        var dir = _fids.Get(m.DirectoryFid);
        var target = _fids.Get(m.Fid);
        if (!dir.Node.Qid.IsDirectory) throw new StyxErrorException(Errno.ENOTDIR);
        await dir.Node.LinkAsync(target.Node, m.Name, ct);
        return new Rlink(m.Tag);
    }

    private async ValueTask<Message> MkdirAsync(Tmkdir m, CancellationToken ct)
    {
        var dir = _fids.Get(m.DirectoryFid);
        if (!dir.Node.Qid.IsDirectory) throw new StyxErrorException(Errno.ENOTDIR);
        var options = new CreateOptions(UnixMode.Directory | (m.Mode & UnixMode.PermissionMask), dir.User.Id, m.Gid, dir.User.Name);
        var node = await dir.Node.CreateAsync(m.Name, options, ct);
        return new Rmkdir(m.Tag, node.Qid);
    }

    private async ValueTask<Message> RenameatAsync(Trenameat m, CancellationToken ct)
    {
        var oldDir = _fids.Get(m.OldDirectoryFid);
        var newDir = _fids.Get(m.NewDirectoryFid);
        var node = await oldDir.Node.LookupAsync(CheckedName(m.OldName), ct);
        await node.RenameAsync(newDir.Node, CheckedName(m.NewName), ct);
        return new Rrenameat(m.Tag);
    }

    private async ValueTask<Message> UnlinkatAsync(Tunlinkat m, CancellationToken ct)
    {
        var dir = _fids.Get(m.DirectoryFid);
        var node = await dir.Node.LookupAsync(CheckedName(m.Name), ct);
        bool isDirectory = node.Qid.IsDirectory;
        bool wantDirectory = (m.Flags & Tunlinkat.RemoveDirectory) != 0;
        if (wantDirectory && !isDirectory) throw new StyxErrorException(Errno.ENOTDIR);
        if (!wantDirectory && isDirectory) throw new StyxErrorException(Errno.EISDIR);
        await node.RemoveAsync(ct);
        return new Runlinkat(m.Tag);
    }

    private static string CheckedName(string name) =>
        name.Length == 0 || name == "." || name == ".." || name.Contains('/')
            ? throw new StyxErrorException(Errno.EINVAL, $"bad name '{name}'")
            : name;

    private static OpenOptions ToOptions(uint flags, string user)
    {
        var access = (flags & LinuxOpenFlags.AccessMask) switch
        {
            LinuxOpenFlags.WriteOnly => OpenAccess.Write,
            LinuxOpenFlags.ReadWrite => OpenAccess.ReadWrite,
            _ => OpenAccess.Read,
        };
        return new OpenOptions(access, (flags & LinuxOpenFlags.Truncate) != 0, (flags & LinuxOpenFlags.Append) != 0, user);
    }
}
