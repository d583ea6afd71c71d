using Cheshire.Styx.Client;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Tests.Ram;

/// <summary>Path-level calls of one attached user, the way a 9P2000.L kernel client makes them.</summary>
internal sealed class UserClient(StyxClient client, uint uid) : IAsyncDisposable
{
    public StyxClient Client { get; } = client;
    public uint Root { get; } = client.NewFid();
    public uint Uid { get; } = uid;

    /// <summary>The gid .L creates carry (the process's fsgid; here the user's own group).</summary>
    private uint Gid => Uid == uint.MaxValue ? 0 : Uid;

    /// <summary>Walks one name at a time, as the kernel's lookups do, so a refused step reports its own errno.</summary>
    public async Task<uint> WalkAsync(string path)
    {
        var fid = Client.NewFid();
        await Client.WalkAsync(Root, fid, []);
        try
        {
            foreach (var name in path.Split('/', StringSplitOptions.RemoveEmptyEntries)) await Client.WalkAsync(fid, fid, [name]);
        }
        catch
        {
            await Client.ClunkAsync(fid);
            throw;
        }
        return fid;
    }

    public async Task<T> WithFidAsync<T>(string path, Func<uint, Task<T>> action)
    {
        var fid = await WalkAsync(path);
        try
        {
            return await action(fid);
        }
        finally
        {
            await Client.ClunkAsync(fid);
        }
    }

    public Task WithFidAsync(string path, Func<uint, Task> action) => WithFidAsync(path, async fid =>
    {
        await action(fid);
        return true;
    });

    private static (string Directory, string Name) Split(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash < 0 ? ("", path) : (path[..slash], path[(slash + 1)..]);
    }

    /// <summary>Creates a file (Tlcreate) and leaves it open read-write on the returned fid.</summary>
    public async Task<uint> CreateOpenAsync(string path, uint mode = 0x1A4)
    {
        var (directory, name) = Split(path);
        var fid = await WalkAsync(directory);
        await Client.LcreateAsync(fid, name, LinuxOpenFlags.ReadWrite, mode, Gid);
        return fid;
    }

    public async Task CreateAsync(string path, uint mode = 0x1A4) => await Client.ClunkAsync(await CreateOpenAsync(path, mode));

    public Task MkdirAsync(string path, uint mode = 0x1ED)
    {
        var (directory, name) = Split(path);
        return WithFidAsync(directory, fid => Client.MkdirAsync(fid, name, mode, Gid));
    }

    public Task SymlinkAsync(string path, string target)
    {
        var (directory, name) = Split(path);
        return WithFidAsync(directory, fid => Client.SymlinkAsync(fid, name, target, Gid));
    }

    public Task MknodAsync(string path, uint mode, uint major = 0, uint minor = 0)
    {
        var (directory, name) = Split(path);
        return WithFidAsync(directory, fid => Client.MknodAsync(fid, name, mode, major, minor, Gid));
    }

    public async Task LinkAsync(string existing, string path)
    {
        var (directory, name) = Split(path);
        var target = await WalkAsync(existing);
        try
        {
            await WithFidAsync(directory, fid => Client.LinkAsync(fid, target, name));
        }
        finally
        {
            await Client.ClunkAsync(target);
        }
    }

    public Task UnlinkAsync(string path, bool directory = false)
    {
        var (parent, name) = Split(path);
        return WithFidAsync(parent, fid => Client.UnlinkatAsync(fid, name, directory ? Tunlinkat.RemoveDirectory : 0));
    }

    public async Task RenameAsync(string from, string to)
    {
        var (fromDirectory, fromName) = Split(from);
        var (toDirectory, toName) = Split(to);
        var target = await WalkAsync(toDirectory);
        try
        {
            await WithFidAsync(fromDirectory, fid => Client.RenameatAsync(fid, fromName, target, toName));
        }
        finally
        {
            await Client.ClunkAsync(target);
        }
    }

    public Task<Rgetattr> StatAsync(string path) => WithFidAsync(path, fid => Client.GetattrAsync(fid));

    public Task SetattrAsync(string path, uint valid, uint mode = 0, uint uid = 0, uint gid = 0, ulong size = 0,
        ulong atime = 0, ulong mtime = 0) =>
        WithFidAsync(path, fid => Client.SetattrAsync(new Tsetattr(0, fid, valid, mode, uid, gid, size, atime, 0, mtime, 0)));

    public Task ChmodAsync(string path, uint mode) => SetattrAsync(path, SetattrMask.Mode | SetattrMask.Ctime, mode: mode);

    public Task ChownAsync(string path, uint uid, uint gid) =>
        SetattrAsync(path, SetattrMask.Uid | SetattrMask.Gid | SetattrMask.Ctime, uid: uid, gid: gid);

    public Task ChgrpAsync(string path, uint gid) => SetattrAsync(path, SetattrMask.Gid | SetattrMask.Ctime, gid: gid);

    public Task<byte[]> ReadAsync(string path) => WithFidAsync(path, async fid =>
    {
        await Client.LopenAsync(fid, LinuxOpenFlags.ReadOnly);
        return await Client.ReadAllAsync(fid);
    });

    public Task WriteAsync(string path, byte[] data, ulong offset = 0) => WithFidAsync(path, async fid =>
    {
        await Client.LopenAsync(fid, LinuxOpenFlags.WriteOnly);
        await Client.WriteAllAsync(fid, offset, data);
    });

    public Task OpenAsync(string path, uint flags) => WithFidAsync(path, fid => Client.LopenAsync(fid, flags));

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
