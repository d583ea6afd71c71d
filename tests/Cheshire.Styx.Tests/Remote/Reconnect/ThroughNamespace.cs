using System.Net.Sockets;
using Cheshire.Styx.Client;
using Cheshire.Styx.Namespaces;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Remote;

namespace Cheshire.Styx.Tests.Remote.Reconnect;

/// <summary>
/// A remote server mounted at /r of a namespace (as styx-root mounts one), and a client of the namespace's 9P server.
/// The client speaks 9P2000.u, so error messages reach it with their errno.
/// </summary>
internal sealed class ThroughNamespace : IAsyncDisposable
{
    private readonly RemoteFileSystem _remote;
    private readonly LoopbackServer _outer;

    private ThroughNamespace(RemoteFileSystem remote, LoopbackServer outer, StyxFs fs)
    {
        _remote = remote;
        _outer = outer;
        Fs = fs;
    }

    public StyxFs Fs { get; }
    public StyxClient Client => Fs.Client;

    /// <summary>Mounts <paramref name="remote"/> at /r, or each (path, aname) of <paramref name="mounts"/>.</summary>
    public static async Task<ThroughNamespace> StartAsync(RemoteFileSystem remote, params (string Path, string Aname)[] mounts)
    {
        var ns = new Namespace();
        if (mounts.Length == 0) ns.Mount("/r", remote);
        foreach (var (path, aname) in mounts) ns.Mount(path, remote, aname: aname);
        var outer = new LoopbackServer(ns);
        var stream = new NetworkStream(await outer.ConnectSocketAsync(), ownsSocket: true);
        return new ThroughNamespace(remote, outer, await StyxFs.MountAsync(stream, "root", version: DialectNames.Unix, nUname: 0));
    }

    /// <summary>Walks <paramref name="path"/> and opens it with <paramref name="mode"/>; the caller clunks the fid.</summary>
    public async Task<uint> OpenAsync(string path, StyxOpenMode mode)
    {
        var fid = await Fs.WalkAsync(path);
        await Client.OpenAsync(fid, mode);
        return fid;
    }

    /// <summary>Reads <paramref name="count"/> bytes at <paramref name="offset"/> (fewer at the end of the file).</summary>
    public async Task<byte[]> ReadAsync(uint fid, long offset, int count)
    {
        var data = new byte[count];
        int filled = 0;
        while (filled < count)
        {
            int read = await Client.ReadAsync(fid, (ulong)(offset + filled), data.AsMemory(filled));
            if (read == 0) break;
            filled += read;
        }
        return data[..filled];
    }

    /// <summary>The error a call fails with (the test fails if it succeeds).</summary>
    public static async Task<StyxErrorException> ErrorOf(Func<Task> call) => await Assert.ThrowsAsync<StyxErrorException>(call);

    public async ValueTask DisposeAsync()
    {
        await Fs.DisposeAsync();
        await _outer.DisposeAsync();
        await _remote.DisposeAsync();
    }
}
