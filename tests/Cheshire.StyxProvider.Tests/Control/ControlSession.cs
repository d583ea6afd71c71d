using System.Text;
using Cheshire.Styx.Client;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxProvider.Tests.Control;

/// <summary>What a user does with the files, over one 9P connection: cat, echo > ctl, stat, open an event file.</summary>
internal sealed class ControlSession : IAsyncDisposable
{
    private readonly uint _root;

    private ControlSession(StyxClient client, uint root)
    {
        Client = client;
        _root = root;
    }

    public StyxClient Client { get; }

    public static async Task<ControlSession> AttachAsync(StyxClient client)
    {
        var root = client.NewFid();
        await client.AttachAsync(root, "glenda", "");
        return new ControlSession(client, root);
    }

    public async Task<string> ReadAsync(string path)
    {
        var fid = await OpenAsync(path, StyxOpenMode.Read);
        try
        {
            return Encoding.UTF8.GetString(await Client.ReadAllAsync(fid));
        }
        finally
        {
            await Client.ClunkAsync(fid);
        }
    }

    /// <summary>Writes a command and reads the reply on the same open file.</summary>
    public async Task<string> CommandAsync(string path, string command)
    {
        var fid = await OpenAsync(path, StyxOpenMode.ReadWrite);
        try
        {
            await Client.WriteAllAsync(fid, 0, Encoding.UTF8.GetBytes(command + "\n"));
            return Encoding.UTF8.GetString(await Client.ReadAllAsync(fid));
        }
        finally
        {
            await Client.ClunkAsync(fid);
        }
    }

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

    public async Task<uint> WalkAsync(string path)
    {
        var fid = Client.NewFid();
        await Client.WalkPathAsync(_root, fid, path);
        return fid;
    }

    public async ValueTask DisposeAsync() => await Client.DisposeAsync();
}
