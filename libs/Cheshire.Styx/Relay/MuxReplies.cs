using System.IO.Pipelines;

namespace Cheshire.Styx.Relay;

/// <summary>
/// A connection's output as a link's reading loop writes to it: a connection whose transport failed stops taking
/// replies (it is aborted), without the failure reaching the loop that serves every connection of the link.
/// </summary>
internal sealed class MuxReplies(PipeWriter output, Action failed) : PipeWriter
{
    public override void Advance(int bytes) => output.Advance(bytes);

    public override Memory<byte> GetMemory(int sizeHint = 0) => output.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => output.GetSpan(sizeHint);

    public override bool CanGetUnflushedBytes => output.CanGetUnflushedBytes;

    public override long UnflushedBytes => output.UnflushedBytes;

    public override void CancelPendingFlush() => output.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => output.Complete(exception);

    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var result = await output.FlushAsync(cancellationToken);
            if (result.IsCompleted) failed();
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            failed();
            return new FlushResult(isCanceled: false, isCompleted: true);
        }
    }
}
