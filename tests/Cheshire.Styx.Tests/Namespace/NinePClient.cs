using Cheshire.Styx.Client;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Tests.Namespaces;

/// <summary>Path-level helpers over a connected 9P2000.L <see cref="StyxClient"/> (what the kernel would do).</summary>
internal sealed class NinePClient(StyxClient client, uint root) : IAsyncDisposable
{
    public StyxClient Client { get; } = client;
    public uint Root { get; } = root;

    public static async Task<NinePClient> AttachAsync(StyxClient client, string uname = "glenda", string aname = "")
    {
        var root = client.NewFid();
        await client.AttachAsync(root, uname, aname, 0);
        return new NinePClient(client, root);
    }

    public async Task<uint> WalkAsync(string path)
    {
        var fid = Client.NewFid();
        await Client.WalkPathAsync(Root, fid, path);
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

    public Task<Qid> QidAsync(string path) => WithFidAsync(path, async fid => (await Client.GetattrAsync(fid)).Qid);

    public Task<List<Dirent>> ReaddirAsync(string path) => WithFidAsync(path, async fid =>
    {
        await Client.LopenAsync(fid, LinuxOpenFlags.ReadOnly | LinuxOpenFlags.Directory);
        var all = new List<Dirent>();
        ulong offset = 0;
        while (true)
        {
            var batch = await Client.ReaddirAsync(fid, offset);
            if (batch.Count == 0) return all;
            all.AddRange(batch.Where(d => d.Name is not ("." or "..")));
            offset = batch[^1].Offset;
        }
    });

    public async Task<string[]> NamesAsync(string path) => [.. (await ReaddirAsync(path)).Select(d => d.Name)];

    public Task<byte[]> ReadAsync(string path) => WithFidAsync(path, async fid =>
    {
        await Client.LopenAsync(fid, LinuxOpenFlags.ReadOnly);
        return await Client.ReadAllAsync(fid);
    });

    public async Task<string> ReadTextAsync(string path) => System.Text.Encoding.UTF8.GetString(await ReadAsync(path));

    /// <summary>Creates (or truncates) <paramref name="path"/> in its directory and writes <paramref name="data"/>.</summary>
    public async Task WriteAsync(string path, ReadOnlyMemory<byte> data)
    {
        var (directory, name) = Split(path);
        var fid = await WalkAsync(directory);
        try
        {
            await Client.LcreateAsync(fid, name, LinuxOpenFlags.WriteOnly | LinuxOpenFlags.Truncate, 0x1A4);
            await Client.WriteAllAsync(fid, 0, data);
            await Client.FsyncAsync(fid);
        }
        finally
        {
            await Client.ClunkAsync(fid);
        }
    }

    public Task WriteTextAsync(string path, string text) => WriteAsync(path, System.Text.Encoding.UTF8.GetBytes(text));

    public async Task MkdirAsync(string path)
    {
        var (directory, name) = Split(path);
        await WithFidAsync(directory, async fid => await Client.MkdirAsync(fid, name, 0x1ED));
    }

    public async Task RenameAsync(string from, string to)
    {
        var (fromDirectory, fromName) = Split(from);
        var (toDirectory, toName) = Split(to);
        var oldFid = await WalkAsync(fromDirectory);
        try
        {
            await WithFidAsync(toDirectory, async newFid =>
            {
                await Client.RenameatAsync(oldFid, fromName, newFid, toName);
                return 0;
            });
        }
        finally
        {
            await Client.ClunkAsync(oldFid);
        }
    }

    public async Task UnlinkAsync(string path, bool directory = false)
    {
        var (parent, name) = Split(path);
        await WithFidAsync(parent, async fid =>
        {
            await Client.UnlinkatAsync(fid, name, directory ? Tunlinkat.RemoveDirectory : 0);
            return 0;
        });
    }

    public static async Task<Errno> ErrnoOf(Func<Task> action) => (await Assert.ThrowsAsync<StyxErrorException>(action)).Errno;

    private static (string Directory, string Name) Split(string path)
    {
        int slash = path.TrimEnd('/').LastIndexOf('/');
        return (path[..slash], path[(slash + 1)..]);
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
