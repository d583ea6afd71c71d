using System.Text;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Client;

/// <summary>
/// Path-level access to an attached 9P tree, like plan9port's 9pclient (fsmount, fsopen, fsread, fsdirread):
/// every call walks from the root fid, acts and clunks. For programs and tests that think in paths.
/// <code>
/// await using var fs = await StyxFs.MountAsync(stream, uname: "glenda");
/// string text = await fs.ReadTextAsync("cheshire/node");
/// await fs.WriteTextAsync("dht/ctl", "put key value\n");
/// IReadOnlyList&lt;string&gt; names = await fs.ListAsync("tmp");
/// </code>
/// </summary>
public sealed class StyxFs(StyxClient client, uint root) : IAsyncDisposable
{
    public StyxClient Client { get; } = client;
    public uint Root { get; } = root;

    /// <summary>Negotiates <paramref name="version"/> on <paramref name="stream"/> and attaches; the stream is owned from then on.</summary>
    public static async Task<StyxFs> MountAsync(Stream stream, string uname = "none", string aname = "", string version = DialectNames.Linux,
        uint maxMessageSize = StyxConstants.DefaultMessageSize, uint nUname = Tauth.NoUid, CancellationToken ct = default)
    {
        var client = await StyxClient.ConnectAsync(stream, version, maxMessageSize, ct);
        try
        {
            uint root = client.NewFid();
            await client.AttachAsync(root, uname, aname, nUname, ct: ct);
            return new StyxFs(client, root);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Walks to <paramref name="path"/> (relative to the root) and returns the new fid, which the caller clunks.</summary>
    public async Task<uint> WalkAsync(string path, CancellationToken ct = default)
    {
        uint fid = Client.NewFid();
        await Client.WalkPathAsync(Root, fid, path, ct);
        return fid;
    }

    public async Task<byte[]> ReadAsync(string path, CancellationToken ct = default)
    {
        uint fid = await WalkAsync(path, ct);
        try
        {
            await OpenAsync(fid, write: false, truncate: false, ct);
            return await Client.ReadAllAsync(fid, ct);
        }
        finally
        {
            await Client.ClunkAsync(fid, CancellationToken.None);
        }
    }

    public async Task<string> ReadTextAsync(string path, CancellationToken ct = default) =>
        Encoding.UTF8.GetString(await ReadAsync(path, ct));

    /// <summary>Opens an existing file for writing (truncating it) and writes <paramref name="data"/> in one or more Twrites.</summary>
    public async Task WriteAsync(string path, ReadOnlyMemory<byte> data, bool truncate = true, CancellationToken ct = default)
    {
        uint fid = await WalkAsync(path, ct);
        try
        {
            await OpenAsync(fid, write: true, truncate, ct);
            await Client.WriteAllAsync(fid, 0, data, ct);
        }
        finally
        {
            await Client.ClunkAsync(fid, CancellationToken.None);
        }
    }

    public Task WriteTextAsync(string path, string text, CancellationToken ct = default) =>
        WriteAsync(path, Encoding.UTF8.GetBytes(text), truncate: true, ct);

    /// <summary>The names in a directory (without "." and ".."), in the server's order.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(string path, CancellationToken ct = default)
    {
        uint fid = await WalkAsync(path, ct);
        try
        {
            await OpenAsync(fid, write: false, truncate: false, ct);
            return Client.Dialect == Dialect.Linux ? await ReaddirNamesAsync(fid, ct) : await ReadStatNamesAsync(fid, ct);
        }
        finally
        {
            await Client.ClunkAsync(fid, CancellationToken.None);
        }
    }

    /// <summary>
    /// A Plan 9 ctl exchange: writes <paramref name="command"/> (a line) to the file at <paramref name="path"/> and reads
    /// the reply on the same open file, as `echo COMMAND &gt; ctl` followed by a read of that fid.
    /// </summary>
    public async Task<string> CommandAsync(string path, string command, CancellationToken ct = default)
    {
        uint fid = await WalkAsync(path, ct);
        try
        {
            if (Client.Dialect == Dialect.Linux)
                await Client.LopenAsync(fid, LinuxOpenFlags.ReadWrite, ct);
            else
                await Client.OpenAsync(fid, StyxOpenMode.ReadWrite, ct);
            await Client.WriteAllAsync(fid, 0, Encoding.UTF8.GetBytes(command + "\n"), ct);
            return Encoding.UTF8.GetString(await Client.ReadAllAsync(fid, ct));
        }
        finally
        {
            await Client.ClunkAsync(fid, CancellationToken.None);
        }
    }

    private async Task OpenAsync(uint fid, bool write, bool truncate, CancellationToken ct)
    {
        if (Client.Dialect == Dialect.Linux)
            await Client.LopenAsync(fid, (write ? LinuxOpenFlags.WriteOnly : LinuxOpenFlags.ReadOnly) | (truncate ? LinuxOpenFlags.Truncate : 0), ct);
        else
            await Client.OpenAsync(fid, (write ? StyxOpenMode.Write : StyxOpenMode.Read) | (truncate ? StyxOpenMode.Truncate : 0), ct);
    }

    private async Task<IReadOnlyList<string>> ReaddirNamesAsync(uint fid, CancellationToken ct)
    {
        var names = new List<string>();
        ulong offset = 0;
        while (await Client.ReaddirAsync(fid, offset, (uint)Client.MaxIoSize, ct) is { Count: > 0 } batch)
        {
            names.AddRange(batch.Where(d => d.Name is not ("." or "..")).Select(d => d.Name));
            offset = batch[^1].Offset;
        }
        return names;
    }

    private async Task<IReadOnlyList<string>> ReadStatNamesAsync(uint fid, CancellationToken ct)
    {
        var data = await Client.ReadAllAsync(fid, ct);
        return [.. StatEntry.ReadDirectory(data, Client.Dialect).Select(e => e.Name)];
    }

    public async ValueTask DisposeAsync() => await Client.DisposeAsync();
}
