using Cheshire.Interop.Tests.Harness;

namespace Cheshire.Interop.Tests;

/// <summary>
/// The node that <see cref="ProviderKernelTests"/> (v9fs) and <see cref="FuseClientTests"/> (9pfuse) use serves its
/// /home/export as a delegated export (styx-provider's default): those clients run against styx-root's in-process
/// LocalFileSystem, not a relay to the provider.
/// </summary>
public sealed class DelegatedExportFixtureTests(ProviderNodeHost node) : IClassFixture<ProviderNodeHost>
{
    [Fact]
    public async Task TheClientsExportIsDelegatedAndTheOtherTreesRelayed()
    {
        await using var fs = await node.MountAsync();
        var mounts = (await fs.ReadTextAsync("cheshire/mounts", TestContext.Current.CancellationToken)).Split('\n');
        var export = Assert.Single(mounts, m => m.EndsWith(" /home/export", StringComparison.Ordinal));
        Assert.Matches(@"^mount 'delegated unix!/\S+/styx-provider\.fd\.sock /home/export: export /\S+' /home/export$", export);
        Assert.Contains(node.ExportDir, export);
        Assert.StartsWith("mount '9p unix!", Assert.Single(mounts, m => m.EndsWith(" /clock", StringComparison.Ordinal)));
    }
}
