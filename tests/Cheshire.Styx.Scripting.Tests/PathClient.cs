using System.Text;
using Cheshire.Styx.Client;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Tests;

namespace Cheshire.Styx.Scripting.Tests;

/// <summary>A StyxClient attached to a served script, with the path-level steps the tests take, in either dialect.</summary>
internal sealed class PathClient(StyxClient client, uint root) : IAsyncDisposable
{
    public StyxClient Client => client;

    public static async Task<PathClient> ConnectAsync(LoopbackServer server, string version)
    {
        var client = await server.ConnectAsync(version, 8192);
        uint root = client.NewFid();
        await client.AttachAsync(root, "glenda", "");
        return new PathClient(client, root);
    }

    private async Task<uint> WalkAsync(string path, CancellationToken ct)
    {
        uint fid = client.NewFid();
        await client.WalkPathAsync(root, fid, path, ct);
        return fid;
    }

    private async Task OpenAsync(uint fid, bool write, CancellationToken ct)
    {
        if (client.Dialect == Dialect.Linux)
            await client.LopenAsync(fid, write ? LinuxOpenFlags.WriteOnly | LinuxOpenFlags.Truncate : LinuxOpenFlags.ReadOnly, ct);
        else
            await client.OpenAsync(fid, write ? StyxOpenMode.Write | StyxOpenMode.Truncate : StyxOpenMode.Read, ct);
    }

    public async Task<string> ReadAsync(string path, CancellationToken ct = default)
    {
        uint fid = await WalkAsync(path, ct);
        try
        {
            await OpenAsync(fid, write: false, ct);
            return Encoding.UTF8.GetString(await client.ReadAllAsync(fid, ct));
        }
        finally
        {
            await client.ClunkAsync(fid, CancellationToken.None);
        }
    }

    public async Task WriteAsync(string path, string text, CancellationToken ct = default)
    {
        uint fid = await WalkAsync(path, ct);
        try
        {
            await OpenAsync(fid, write: true, ct);
            await client.WriteAllAsync(fid, 0, Encoding.UTF8.GetBytes(text), ct);
        }
        finally
        {
            await client.ClunkAsync(fid, CancellationToken.None);
        }
    }

    public async Task CreateAsync(string directory, string name, CancellationToken ct = default)
    {
        uint fid = await WalkAsync(directory, ct);
        try
        {
            if (client.Dialect == Dialect.Linux) await client.LcreateAsync(fid, name, LinuxOpenFlags.WriteOnly, 0x1A4, ct: ct);
            else await client.CreateAsync(fid, name, 0x1A4, StyxOpenMode.Write, ct: ct);
        }
        finally
        {
            await client.ClunkAsync(fid, CancellationToken.None);
        }
    }

    /// <summary>The length and qid stat (9P2000) or getattr (9P2000.L) reports.</summary>
    public async Task<(ulong Length, Qid Qid)> StatAsync(string path, CancellationToken ct = default)
    {
        uint fid = await WalkAsync(path, ct);
        try
        {
            if (client.Dialect == Dialect.Linux)
            {
                var attributes = await client.GetattrAsync(fid, ct: ct);
                return (attributes.Size, attributes.Qid);
            }
            var stat = await client.StatAsync(fid, ct);
            return (stat.Length, stat.Qid);
        }
        finally
        {
            await client.ClunkAsync(fid, CancellationToken.None);
        }
    }

    public async Task<IReadOnlyList<string>> ListAsync(string path, CancellationToken ct = default)
    {
        uint fid = await WalkAsync(path, ct);
        try
        {
            var names = new List<string>();
            if (client.Dialect == Dialect.Linux)
            {
                await client.LopenAsync(fid, LinuxOpenFlags.ReadOnly, ct);
                for (ulong cookie = 0; await client.ReaddirAsync(fid, cookie, 8000, ct) is { Count: > 0 } batch; cookie = batch[^1].Offset)
                    names.AddRange(batch.Select(e => e.Name).Where(n => n is not "." and not ".."));
            }
            else
            {
                await client.OpenAsync(fid, StyxOpenMode.Read, ct);
                names.AddRange(StatEntry.ReadDirectory(await client.ReadAllAsync(fid, ct), client.Dialect).Select(e => e.Name));
            }
            return names;
        }
        finally
        {
            await client.ClunkAsync(fid, CancellationToken.None);
        }
    }

    public async Task RemoveAsync(string path, CancellationToken ct = default)
    {
        uint fid = await WalkAsync(path, ct);
        await client.RemoveAsync(fid, ct); // clunks the fid, even when it fails
    }

    public ValueTask DisposeAsync() => client.DisposeAsync();
}
