namespace Cheshire.Interop.Tests.Harness;

/// <summary>One <see cref="TwoNodesHost"/> for a whole test class (its theory cases work in folders of their own).</summary>
public sealed class TwoNodesFixture : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private TwoNodesHost? _host;

    public TwoNodesHost Host => _host ?? throw new InvalidOperationException("the two nodes are not started");

    public async ValueTask InitializeAsync() => _host = await TwoNodesHost.StartAsync(Bound, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
    }
}
