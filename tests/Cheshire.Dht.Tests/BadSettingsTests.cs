using Cheshire.Testing;

namespace Cheshire.Dht.Tests;

/// <summary>A bad setting stops the dht at start with a message naming it.</summary>
public sealed class BadSettingsTests
{
    [Theory]
    [InlineData("Dht:Port", "70000", "Dht:Port 70000")]
    [InlineData("Dht:Address", "not-an-address", "Dht:Address 'not-an-address'")]
    [InlineData("Dht:Kademlia:MaxDatagramSize", "100", "Dht:Kademlia:MaxDatagramSize = 100")]
    [InlineData("Dht:Kademlia:MaxMessageSize", "1000", "Dht:Kademlia:MaxMessageSize = 1000")]
    [InlineData("Dht:Kademlia:ReplicateInterval", "00:00:00", "Dht:Kademlia:ReplicateInterval")]
    [InlineData("Dht:Kademlia:K", "twenty", "Dht:Kademlia:K")]
    public async Task TheModuleStopsAndNamesTheSetting(string key, string value, string expected)
    {
        await using var module = ModuleProcess.Start(DhtProcess.ServiceDll, new Dictionary<string, string> { [key] = value });

        Assert.NotEqual(0, await module.WaitForExitAsync(DhtProcess.StartTimeout));
        Assert.Contains(expected, module.Output);
    }
}
