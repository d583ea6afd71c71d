namespace Cheshire.StyxRoot.Tests;

/// <summary>A bad Styx configuration stops the module at start with a message that says what to fix.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("0.0.0.0:6666", "is not a loopback address")]
    [InlineData("192.0.2.1:6666", "is not a loopback address")]
    [InlineData("localhost-ish", "is not an address:port")]
    [InlineData("127.0.0.1:99999", "is not an address:port")]
    public async Task ABadEndpointStopsTheModule(string endpoint, string message)
    {
        await using var module = StyxRootProcess.Start(new Dictionary<string, string> { ["Styx:Endpoint"] = endpoint });

        var exitCode = await module.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains(message, module.Output);
        Assert.Contains(endpoint, module.Output);
    }

    [Fact]
    public async Task ATooSmallMessageSizeStopsTheModule()
    {
        await using var module = StyxRootProcess.Start(new Dictionary<string, string> { ["Styx:MaxMessageSize"] = "100" });

        Assert.NotEqual(0, await module.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Styx:MaxMessageSize 100 is below 4096", module.Output);
    }
}
