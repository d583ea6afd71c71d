using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Tests;

/// <summary>A root with one file, "slow", whose reads wait until they are cancelled.</summary>
internal sealed class SlowFileSystem : IFileSystem, INode
{
    private readonly SlowFile _file = new();

    public int CancelledReads => _file.CancelledReads;
    public Qid Qid { get; } = new(QidType.Directory, 0, 1);

    public ValueTask<INode> AttachAsync(AttachRequest request, CancellationToken cancellationToken) => ValueTask.FromResult<INode>(this);

    public ValueTask<NodeAttributes> GetAttributesAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(new NodeAttributes { Qid = Qid, Name = "/", Mode = UnixMode.Directory | 0x16D });

    public ValueTask<INode> LookupAsync(string name, CancellationToken cancellationToken) =>
        name == "slow" ? ValueTask.FromResult<INode>(_file) : throw new StyxErrorException(Errno.ENOENT);

    public ValueTask<IReadOnlyList<DirectoryEntry>> ListAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<DirectoryEntry>>([new DirectoryEntry("slow", _file)]);

    public ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken) =>
        throw new StyxErrorException(Errno.EISDIR);

    private sealed class SlowFile : INode, IOpenFile
    {
        private int _cancelled;

        public int CancelledReads => Volatile.Read(ref _cancelled);
        public Qid Qid { get; } = new(QidType.File, 0, 2);

        public ValueTask<NodeAttributes> GetAttributesAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(new NodeAttributes { Qid = Qid, Name = "slow", Mode = UnixMode.Regular | 0x124 });

        public ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IOpenFile>(this);

        public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return 0;
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref _cancelled);
                throw;
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
