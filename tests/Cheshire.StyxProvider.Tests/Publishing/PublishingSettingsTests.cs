using Cheshire.GlobalNamespace;
using Cheshire.StyxProvider.Publishing;
using Cheshire.StyxProvider.Tests.Control;
using Cheshire.Testing;

namespace Cheshire.StyxProvider.Tests.Publishing;

/// <summary>Where entries say the node is reached, and bad publishing settings stopping the module with the key named.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PublishingSettingsTests
{
    private const string Salt = "publishing-settings-test";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Link:Advertise", "127.0.0.1:5660,nowhere", "Link:Advertise: the address 'nowhere'")]
    [InlineData("Link:Advertise", "[::1]:0", "Link:Advertise: the address '[::1]:0'")]
    [InlineData("Link:Port", "70000", "Link:Port '70000' is not a port (1-65535).")]
    [InlineData("Publishing:EntryLifetime", "00:00:01", "Publishing:EntryLifetime 00:00:01 must be between 00:00:10 and 1.00:00:00.")]
    [InlineData("Cheshire:Salt", " padded", "Cheshire:Salt ' padded' starts or ends with white space")]
    public async Task ABadSettingStopsTheModuleNamingTheKey(string key, string value, string expected)
    {
        await using var provider = ModuleProcess.Start(ModuleProcess.ModuleDll("styx-provider", "Cheshire.StyxProvider"),
            new Dictionary<string, string> { [key] = value, ["Provider:MountInNamespace"] = "false" });
        Assert.NotEqual(0, await provider.WaitForExitAsync(ProviderNode.Bound));
        Assert.Contains(expected, provider.Output);
    }

    [Fact]
    public async Task WithoutLinkAdvertiseTheLinkPortIsAdvertisedOnThisMachinesAddresses()
    {
        await using var dht = await DhtModule.StartAsync(Ct);
        var folder = Directory.CreateTempSubdirectory("cheshire-publishing-port-");
        try
        {
            await using var node = await ProviderNode.StartAsync($"{{ \"/carol\": {{ \"server\": \"export\", \"root\": \"{folder.FullName}\", \"allow\": [\"*\"] }} }}",
                dht.GrpcAddress, more: new Dictionary<string, string> { ["Cheshire:Salt"] = Salt, ["Link:Port"] = "5661" });
            var expected = LocalAddresses.Unicast().Take(EntryAddress.MaxCount)
                .Select(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{a}]:5661" : $"{a}:5661").ToList();
            if (expected.Count == 0)
            {
                // A machine with no address but loopback: nothing can be advertised, and the log says why.
                await Eventually.TrueAsync(() => Task.FromResult(node.Provider.Output.Contains("no link address to advertise. Set Link:Advertise")),
                    ProviderNode.Bound, "the warning", Ct);
                Assert.Empty(await DhtReader.GetAsync(dht.Client, "/", Salt));
                return;
            }
            var entry = await Eventually.SucceedsAsync(async () => (await DhtReader.EntriesAsync(dht.Client, "/", Salt)).Single(),
                ProviderNode.Bound, "/carol published", Ct);
            Assert.Equal(expected, entry.Addresses);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task WithNoAddressToAdvertiseNothingIsPublishedAndTheLogSaysWhy()
    {
        await using var dht = await DhtModule.StartAsync(Ct);
        var clock = Path.Combine(ModuleProcess.RepositoryRoot, "services", "styx-provider", "samples", "clock.js");
        await using var node = await ProviderNode.StartAsync($"{{ \"/clock\": {{ \"server\": \"js\", \"script\": \"{clock}\", \"allow\": [\"*\"] }} }}",
            dht.GrpcAddress, more: new Dictionary<string, string> { ["Cheshire:Salt"] = Salt });
        await Eventually.TrueAsync(() => Task.FromResult(node.Provider.Output.Contains(
            "Not publishing in the global namespace: no link address to advertise. Set Link:Advertise (host:port, comma-separated).")),
            ProviderNode.Bound, "the warning", Ct);
        var servers = await node.Api.ListServersAsync(new Protos.Provider.ListServersRequest(), cancellationToken: Ct);
        Assert.Contains(servers.Servers, s => s.Definition.Path == "/clock"); // served, only not published
        Assert.Empty(await DhtReader.GetAsync(dht.Client, "/", Salt));
    }
}
