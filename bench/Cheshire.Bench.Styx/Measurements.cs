using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Cheshire.Styx.Client;
using Cheshire.Styx.Protocol;

namespace Cheshire.Bench.Styx;

/// <summary>What the benchmark measures, the same way for every server, with the project's 9P client (9P2000.L).</summary>
public static class Measurements
{
    public const uint MessageSize = 512 * 1024 + 24;

    public static async Task<(StyxClient Client, TcpClient Tcp, uint Root)> ConnectAsync(Server server, uint msize = MessageSize)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(IPAddress.Loopback, server.Port);
        var client = await StyxClient.ConnectAsync(tcp.GetStream(), DialectNames.Linux, msize);
        var root = client.NewFid();
        await client.AttachAsync(root, server.Uname, server.Aname, 0);
        return (client, tcp, root);
    }

    /// <summary>Reads the big file front to back in msize chunks, <paramref name="inFlight"/> reads outstanding; MB/s.</summary>
    public static async Task<double> SequentialReadAsync(Server server, string name, long size, int inFlight)
    {
        var (client, tcp, root) = await ConnectAsync(server);
        await using var _ = client;
        using var __ = tcp;
        var fid = client.NewFid();
        await client.WalkAsync(root, fid, [name]);
        await client.LopenAsync(fid, LinuxOpenFlags.ReadOnly);
        var chunk = client.MaxIoSize;
        long next = 0, total = 0;
        var watch = Stopwatch.StartNew();
        async Task Reader()
        {
            var buffer = new byte[chunk];
            while (true)
            {
                var offset = Interlocked.Add(ref next, chunk) - chunk;
                if (offset >= size) return;
                var read = await client.ReadAsync(fid, (ulong)offset, buffer);
                Interlocked.Add(ref total, read);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Reader()));
        watch.Stop();
        await client.ClunkAsync(fid);
        await client.ClunkAsync(root);
        if (total != size)
            throw new InvalidOperationException($"{server.Name}: read {total} bytes of {size}");
        return size / 1e6 / watch.Elapsed.TotalSeconds;
    }

    /// <summary>walk + lopen + read 4 KiB + clunk on small files, <paramref name="concurrency"/> loops on one connection; ops/s.</summary>
    public static async Task<double> SmallFileLoopAsync(Server server, int files, int operations, int concurrency)
    {
        var (client, tcp, root) = await ConnectAsync(server, 8192 + 24);
        await using var _ = client;
        using var __ = tcp;
        var remaining = operations;
        var watch = Stopwatch.StartNew();
        async Task Loop(int seed)
        {
            var buffer = new byte[4096];
            var i = seed;
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var fid = client.NewFid();
                await client.WalkAsync(root, fid, [SmallName(i++ % files)]);
                await client.LopenAsync(fid, LinuxOpenFlags.ReadOnly);
                var read = await client.ReadAsync(fid, 0, buffer);
                await client.ClunkAsync(fid);
                if (read != 4096)
                    throw new InvalidOperationException($"{server.Name}: short read {read}");
            }
        }
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(c => Loop(c * 7919)));
        watch.Stop();
        await client.ClunkAsync(root);
        return operations / watch.Elapsed.TotalSeconds;
    }

    /// <summary>diod's own client reading the big file to nowhere; MB/s.</summary>
    public static async Task<double> DiodcatAsync(Server server, string name, long size)
    {
        var info = new ProcessStartInfo("diodcat", $"-s 127.0.0.1:{server.Port} -a {server.Aname} -m {MessageSize - 24} {name}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var copy = process.StandardOutput.BaseStream.CopyToAsync(new CountingStream());
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await copy;
        watch.Stop();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"diodcat against {server.Name} failed: {await error}");
        return size / 1e6 / watch.Elapsed.TotalSeconds;
    }

    public static string SmallName(int i) => $"s{i:D4}";

    private sealed class CountingStream : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => 0;
        public override long Position { get; set; }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Position += count;
    }
}
