using Cheshire.Identity;
using Cheshire.StyxProvider.Tests.Control;

namespace Cheshire.StyxClient.Tests.Imports;

/// <summary>One dht module process for a test class; each test keeps to its own network (a fresh salt).</summary>
public sealed class DhtFixture : IAsyncLifetime
{
    private DhtModule? _dht;

    internal DhtModule Dht => _dht ?? throw new InvalidOperationException("not started");

    /// <summary>The dht module's node key: the key that signs what it puts, so the node entries must name.</summary>
    public NodeIdentity Node { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _dht = await DhtModule.StartAsync(TestContext.Current.CancellationToken);
        Node = NodeIdentityStore.Load(Path.Combine(_dht.DataDirectory, NodeIdentityStore.KeyFileName));
    }

    public async ValueTask DisposeAsync()
    {
        Node?.Dispose();
        if (_dht is not null) await _dht.DisposeAsync();
    }
}
