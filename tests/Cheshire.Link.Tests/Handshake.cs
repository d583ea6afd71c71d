namespace Cheshire.Link.Tests;

/// <summary>Both ends of a link handshake over one real TCP connection, run together; each side's outcome kept.</summary>
internal sealed record Handshake(Task<LinkConnection> Dialer, Task<LinkConnection> Acceptor) : IAsyncDisposable
{
    public static async Task<Handshake> RunAsync(LinkCredentials dialer, LinkCredentials acceptor, byte[] expectedNodeId, LinkOptions? options = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var (dialerStream, acceptorStream) = await Loopback.PairAsync();
        var accepting = LinkStream.AcceptAsync(acceptorStream, acceptor, options, ct);
        var dialing = LinkStream.ConnectAsync(dialerStream, dialer, expectedNodeId, options, ct);
        await Task.WhenAll(accepting, dialing).ContinueWith(_ => { }, TaskScheduler.Default);
        return new Handshake(dialing, accepting);
    }

    public static async Task<LinkAuthenticationException> FailsAsync(Task<LinkConnection> side)
    {
        var e = await Assert.ThrowsAsync<LinkAuthenticationException>(() => side);
        TestContext.Current.TestOutputHelper?.WriteLine($"{e.Failure}: {e.Message}");
        return e;
    }

    /// <summary>
    /// After the dialer refused the acceptor: in TLS 1.3 the acceptor may already have finished its side (the dialer
    /// judges the server's certificate after sending its own Finished), but its link then ends without a byte.
    /// </summary>
    public async Task AssertAcceptorGetsNothingAsync()
    {
        try
        {
            var link = await Acceptor;
            var read = await link.Stream.ReadAsync(new byte[1], TestContext.Current.CancellationToken);
            Assert.Equal(0, read);
        }
        catch (Exception e) when (e is LinkAuthenticationException or IOException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Dialer.IsCompletedSuccessfully) await Dialer.Result.DisposeAsync();
        if (Acceptor.IsCompletedSuccessfully) await Acceptor.Result.DisposeAsync();
    }
}
