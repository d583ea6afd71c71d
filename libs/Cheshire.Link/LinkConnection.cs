using System.Net.Security;

namespace Cheshire.Link;

/// <summary>An established link: the encrypted stream (speak 9P on it) and who is at the other end.</summary>
public sealed record LinkConnection(SslStream Stream, LinkPeer Peer) : IAsyncDisposable, IDisposable
{
    public ValueTask DisposeAsync() => Stream.DisposeAsync();

    public void Dispose() => Stream.Dispose();
}
