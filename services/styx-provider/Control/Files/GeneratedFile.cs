using System.Text;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxProvider.Control.Files;

/// <summary>
/// A read-only file whose text is generated from a module's API. Stat generates it too, so the length it reports
/// is the real one (FUSE clients read no further than stat's size), and hands that text to the next read from
/// offset 0 within <see cref="Fresh"/> unless a ctl command ran since, so a stat followed by a read sees the same
/// bytes; any other read generates anew. An open file takes its text at the first read and again at every read at offset 0 (Plan 9 style: re-reading
/// from the start shows the current state). When generating fails, reads fail with the error while stat reports the
/// last known length (a listing never hangs on a module that is down: after a failure, stat does not ask again for
/// <see cref="Fresh"/>, nor any file of the tree for <see cref="TreeState.UnreachableHold"/> after the module was
/// found unreachable).
/// </summary>
public sealed class GeneratedFile : ControlNode, INode
{
    public static readonly TimeSpan Fresh = TimeSpan.FromSeconds(2);

    private readonly Func<CancellationToken, Task<string>> _generate;
    private readonly TreeState _state;
    private Snapshot? _statted;
    private volatile Snapshot? _last;
    private long _failedAt = -1;

    public GeneratedFile(string name, Qid qid, TreeState state, Func<CancellationToken, Task<string>> generate)
        : base(name, UnixMode.Regular | 0x124 /* 0444 */, qid)
    {
        _generate = generate;
        _state = state;
    }

    protected override DateTimeOffset Modified => _last?.Taken ?? base.Modified;

    protected override async ValueTask<ulong> SizeAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _statted) is { } statted && Stands(statted)) return (ulong)statted.Content.Length;
        var failedAt = Interlocked.Read(ref _failedAt);
        if (_state.RecentlyUnreachable || failedAt >= 0 && Environment.TickCount64 - failedAt < (long)Fresh.TotalMilliseconds)
            return (ulong)(_last?.Content.Length ?? 0);
        try
        {
            var snapshot = await TakeAsync(cancellationToken);
            Volatile.Write(ref _statted, snapshot);
            return (ulong)snapshot.Content.Length;
        }
        catch (StyxErrorException)
        {
            return (ulong)(_last?.Content.Length ?? 0);
        }
    }

    public override ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken)
    {
        if (options.CanWrite) throw ReadOnly();
        return ValueTask.FromResult<IOpenFile>(new Handle(this));
    }

    /// <summary>The text a stat just reported (once), else newly generated text.</summary>
    private async Task<byte[]> CurrentAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _statted, null) is { } statted && Stands(statted)) return statted.Content;
        return (await TakeAsync(cancellationToken)).Content;
    }

    private bool Stands(Snapshot snapshot) => snapshot.IsFresh && snapshot.Changes == _state.Changes;

    private async Task<Snapshot> TakeAsync(CancellationToken cancellationToken)
    {
        try
        {
            var changes = _state.Changes;
            var content = Encoding.UTF8.GetBytes(await _generate(cancellationToken));
            return _last = new Snapshot(content, DateTimeOffset.UtcNow, Environment.TickCount64, changes);
        }
        catch (StyxErrorException e)
        {
            Interlocked.Exchange(ref _failedAt, Environment.TickCount64);
            if (ModuleErrors.IsUnavailable(e)) _state.Unreachable();
            throw;
        }
    }

    private sealed record Snapshot(byte[] Content, DateTimeOffset Taken, long TakenTicks, long Changes)
    {
        public bool IsFresh => Environment.TickCount64 - TakenTicks < (long)Fresh.TotalMilliseconds;
    }

    private sealed class Handle(GeneratedFile file) : IOpenFile
    {
        private byte[]? _content;

        public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
        {
            if (offset == 0 || _content is null) _content = await file.CurrentAsync(cancellationToken);
            if (offset >= _content.Length) return 0;
            var count = (int)Math.Min(buffer.Length, _content.Length - offset);
            _content.AsSpan((int)offset, count).CopyTo(buffer.Span);
            return count;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
