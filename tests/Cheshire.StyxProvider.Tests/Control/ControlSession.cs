using Cheshire.Styx.Client;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxProvider.Tests.Control;

/// <summary>What a user does with the files, over one 9P connection: cat, echo > ctl, stat, open an event file.</summary>
internal sealed class ControlSession : IAsyncDisposable
{
    private readonly StyxFs _fs;

    private ControlSession(StyxClient client, uint root) => _fs = new StyxFs(client, root);

    public StyxClient Client => _fs.Client;

    public static async Task<ControlSession> AttachAsync(StyxClient client)
    {
        var root = client.NewFid();
        await client.AttachAsync(root, "glenda", "");
        return new ControlSession(client, root);
    }

    public Task<string> ReadAsync(string path) => _fs.ReadTextAsync(path);

    /// <summary>Writes a command and reads the reply on the same open file.</summary>
    public Task<string> CommandAsync(string path, string command) => _fs.CommandAsync(path, command);

    public async Task<StatEntry> StatAsync(string path)
    {
        var fid = await WalkAsync(path);
        try
        {
            return await Client.StatAsync(fid);
        }
        finally
        {
            await Client.ClunkAsync(fid);
        }
    }

    /// <summary>stat, then open and read the same fid, as a FUSE client does: (stat's length, the bytes read).</summary>
    public async Task<(ulong Length, byte[] Content)> StatAndReadAsync(string path)
    {
        var fid = await WalkAsync(path);
        try
        {
            var stat = await Client.StatAsync(fid);
            await Client.OpenAsync(fid, StyxOpenMode.Read);
            return (stat.Length, await Client.ReadAllAsync(fid));
        }
        finally
        {
            await Client.ClunkAsync(fid);
        }
    }

    public async Task<uint> OpenAsync(string path, StyxOpenMode mode)
    {
        var fid = await WalkAsync(path);
        try
        {
            await Client.OpenAsync(fid, mode);
        }
        catch
        {
            await Client.ClunkAsync(fid);
            throw;
        }
        return fid;
    }

    public Task<uint> WalkAsync(string path) => _fs.WalkAsync(path);

    public async ValueTask DisposeAsync() => await Client.DisposeAsync();
}
