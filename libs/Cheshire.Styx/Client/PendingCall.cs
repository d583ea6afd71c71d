using Cheshire.Styx.Messages;

namespace Cheshire.Styx.Client;

/// <summary>A request waiting for its reply. A flushed call keeps its tag until Rflush arrives.</summary>
internal sealed class PendingCall
{
    public TaskCompletionSource<Message> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public volatile bool Flushing;
}
