using Cheshire.Styx.Messages;

namespace Cheshire.Styx.Client;

/// <summary>
/// A request waiting for its reply. A flushed call keeps its tag until Rflush arrives.
/// The caller's continuation runs on the read loop when the reply arrives (no hand-off to another thread: a relay such
/// as styx-root answers its own client from there), so no caller may block synchronously on a reply.
/// </summary>
internal sealed class PendingCall
{
    public TaskCompletionSource<Message> Reply { get; } = new();
    public volatile bool Flushing;
}
