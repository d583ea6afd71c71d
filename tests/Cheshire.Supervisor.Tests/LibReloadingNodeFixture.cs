using Cheshire.Testing;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// A whole node whose supervisor watches a copy of the sources that, like a checkout a node runs from, also holds the
/// sources a normal build generated in obj/ (see <see cref="CheckoutBuildOutput"/>). Its dht joins a <see cref="DhtPeer"/>,
/// so every module is Healthy while the node is whole.
/// </summary>
public sealed class LibReloadingNodeFixture() : NodeFixture("lib-reloading", ServingNodeFixture.Names)
{
    private readonly DhtPeer _peer = new();

    public SourceCopy Sources { get; } = new();

    /// <summary>The generated sources copied from the checkout's obj/ folders, relative to the tree.</summary>
    public IReadOnlyList<string> GeneratedSources { get; private set; } = [];

    protected override IEnumerable<string> Settings => [$"--Cheshire:SourceDir={Sources.Root}", "--Cheshire:Supervisor:Watch=true", _peer.BootstrapSetting];

    protected override async Task BeforeStartAsync(CancellationToken cancellationToken)
    {
        GeneratedSources = CheckoutBuildOutput.CopyGeneratedSources(ModuleProcess.RepositoryRoot, Sources.Root);
        await _peer.StartAsync(cancellationToken);
    }

    protected override async ValueTask DisposeMoreAsync()
    {
        await _peer.DisposeAsync();
        Sources.Dispose();
    }
}
