using Cheshire.Styx.Messages;

namespace Cheshire.Styx.Server;

/// <summary>A request being answered; flushing it suppresses its reply.</summary>
internal sealed class InFlightRequest(Message request)
{
    private const int Running = 0, Answered = 1, Flushed = 2;
    private int _state;

    public Message Request { get; } = request;
    public CancellationTokenSource Cancellation { get; } = new();
    public Task Completion { get; set; } = Task.CompletedTask;

    /// <summary>True if the reply may be sent (the request was not flushed first).</summary>
    public bool TryAnswer() => Interlocked.CompareExchange(ref _state, Answered, Running) == Running;

    /// <summary>Marks the request flushed and cancels it; false if its reply was already queued.</summary>
    public bool TryFlush()
    {
        if (Interlocked.CompareExchange(ref _state, Flushed, Running) != Running) return false;
        try
        {
            Cancellation.Cancel();
        }
        catch (AggregateException)
        {
            // A cancellation callback of the file tree failed; the request is flushed regardless.
        }
        return true;
    }
}
