using Docker.DotNet;

namespace Cheshire.Deploy.Tests.Containers;

/// <summary>
/// A TCP connection made inside a container, as <c>kubectl port-forward</c> makes one inside a pod: a <c>docker exec</c>
/// of bash joining its standard input and output to 127.0.0.1:PORT of the container. It reaches what listens on the
/// container's loopback only (styx-root), and needs no route from the test to the container's network.
/// </summary>
public sealed class ExecRelayStream(MultiplexedStream exec) : Stream
{
    /// <summary>bash's /dev/tcp joined to stdin/stdout; when stdin ends, the reading side is stopped too.</summary>
    private const string Relay = "exec 3<>/dev/tcp/127.0.0.1/$0 || exit 1; cat <&3 & cat >&3; kill $! 2>/dev/null";

    public static async Task<ExecRelayStream> OpenAsync(IDockerClient docker, string containerId, int port, CancellationToken ct)
    {
        var created = await docker.Exec.CreateContainerExecAsync(containerId, new Docker.DotNet.Models.ContainerExecCreateParameters
        {
            AttachStdin = true,
            AttachStdout = true,
            AttachStderr = true,
            Cmd = ["bash", "-c", Relay, port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
        }, ct);
        var stream = await docker.Exec.StartContainerExecAsync(created.ID, new Docker.DotNet.Models.ContainerExecStartParameters(), ct);
        return new ExecRelayStream(stream);
    }

    private readonly byte[] _received = new byte[64 * 1024];
    private int _offset, _count;
    private bool _ended;

    /// <summary>
    /// Standard output of the exec, de-multiplexed. A zero-byte read (HttpClient's way to wait for data) waits until
    /// some has come, as a socket's does.
    /// </summary>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_count == 0 && !_ended)
        {
            var result = await exec.ReadOutputAsync(_received, 0, _received.Length, cancellationToken);
            if (result.EOF) _ended = true;
            else if (result.Target == MultiplexedStream.TargetStream.StandardOut) (_offset, _count) = (0, result.Count);
        }
        var n = Math.Min(buffer.Length, _count);
        _received.AsSpan(_offset, n).CopyTo(buffer.Span);
        (_offset, _count) = (_offset + n, _count - n);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var array = buffer.ToArray();
        await exec.WriteAsync(array, 0, array.Length, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        exec.WriteAsync(buffer, offset, count, cancellationToken);

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override void Flush() { }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try { exec.CloseWrite(); } catch (IOException) { } catch (ObjectDisposedException) { }
            exec.Dispose();
        }
        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
