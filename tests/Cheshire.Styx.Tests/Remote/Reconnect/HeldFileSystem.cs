using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Tests.Remote.Reconnect;

/// <summary>
/// A root with one file, "held", where one armed call (a read, a write, a stat of the file, or the listing of the root)
/// waits until its connection ends (or <see cref="ReleaseHeld"/>): a test drops the connection while the request is in flight.
/// </summary>
internal sealed class HeldFileSystem : IFileSystem, INode
{
    public const string Read = "read", Write = "write", Stat = "stat", List = "list";

    private readonly HeldFile _file;
    private readonly CancellationTokenSource _released = new();
    private string? _armed;
    private TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public HeldFileSystem(byte[] content) => _file = new HeldFile(this, content);

    public Qid Qid { get; } = new(QidType.Directory, 0, 1);
    public byte[] Content => _file.Content;

    /// <summary>The next <paramref name="operation"/> waits until its connection ends; the task completes when it has started.</summary>
    public Task Arm(string operation)
    {
        _started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _armed, operation);
        return _started.Task;
    }

    private async ValueTask HoldIfArmedAsync(string operation, CancellationToken ct)
    {
        // By value: a theory's argument may be another string instance than the constant.
        var armed = Volatile.Read(ref _armed);
        if (armed != operation || Interlocked.CompareExchange(ref _armed, null, armed) != armed) return;
        _started.TrySetResult();
        using var held = CancellationTokenSource.CreateLinkedTokenSource(ct, _released.Token);
        await Task.Delay(Timeout.Infinite, held.Token);
    }

    /// <summary>Ends a held call (failing it) whose request the server does not cancel when its connection ends.</summary>
    public void ReleaseHeld() => _released.Cancel();

    public ValueTask<INode> AttachAsync(AttachRequest request, CancellationToken cancellationToken) => ValueTask.FromResult<INode>(this);

    public ValueTask<NodeAttributes> GetAttributesAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(new NodeAttributes { Qid = Qid, Name = "/", Mode = UnixMode.Directory | 0x1ED });

    public ValueTask<INode> LookupAsync(string name, CancellationToken cancellationToken) =>
        name == "held" ? ValueTask.FromResult<INode>(_file) : throw new StyxErrorException(Errno.ENOENT);

    public async ValueTask<IReadOnlyList<DirectoryEntry>> ListAsync(CancellationToken cancellationToken)
    {
        await HoldIfArmedAsync(List, cancellationToken);
        return [new DirectoryEntry("held", _file)];
    }

    public ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken) =>
        throw new StyxErrorException(Errno.EISDIR);

    private sealed class HeldFile(HeldFileSystem tree, byte[] content) : INode, IOpenFile
    {
        public byte[] Content { get; private set; } = content;
        public Qid Qid { get; } = new(QidType.File, 0, 2);

        public async ValueTask<NodeAttributes> GetAttributesAsync(CancellationToken cancellationToken)
        {
            await tree.HoldIfArmedAsync(Stat, cancellationToken);
            return new NodeAttributes { Qid = Qid, Name = "held", Mode = UnixMode.Regular | 0x1A4, Size = (ulong)Content.Length };
        }

        public ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken) => ValueTask.FromResult<IOpenFile>(this);

        public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
        {
            await tree.HoldIfArmedAsync(Read, cancellationToken);
            var content = Content;
            if (offset >= content.Length) return 0;
            int count = (int)Math.Min(buffer.Length, content.Length - offset);
            content.AsMemory((int)offset, count).CopyTo(buffer);
            return count;
        }

        public async ValueTask<int> WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            await tree.HoldIfArmedAsync(Write, cancellationToken);
            var content = Content;
            if (offset + data.Length > content.Length) Array.Resize(ref content, (int)offset + data.Length);
            data.CopyTo(content.AsMemory((int)offset));
            Content = content;
            return data.Length;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
