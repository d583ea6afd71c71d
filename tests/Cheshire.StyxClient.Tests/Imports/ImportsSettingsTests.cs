using Cheshire.StyxClient.Imports;
using Microsoft.Extensions.Configuration;

namespace Cheshire.StyxClient.Tests.Imports;

public sealed class ImportsSettingsTests
{
    private static ImportsSettings From(params (string Key, string Value)[] values) =>
        ImportsSettings.From(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))
                .Append(new("Cheshire:DataDir", "/tmp/cheshire-imports-settings")))
            .Build());

    [Fact]
    public void DefaultsAreTheNetworkSaltTenSecondLookupsFiveMinuteListingsFiveSecondMissesAndTheSocketInTheDataFolder()
    {
        var settings = From();
        Assert.Equal("cheshire", settings.Salt);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.LookupTimeout);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.MaxCacheTime);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.NegativeCacheTime);
        Assert.Equal("/tmp/cheshire-imports-settings/styx-client.sock", settings.Socket);
        Assert.Equal("other-network", From(("Cheshire:Salt", "other-network")).Salt);
    }

    [Theory]
    [InlineData("Imports:LookupSeconds", "0", "Imports:LookupSeconds 0 must be more than 0 and at most 300 seconds.")]
    [InlineData("Imports:LookupSeconds", "301", "Imports:LookupSeconds 301 must be more than 0 and at most 300 seconds.")]
    [InlineData("Imports:MaxCacheSeconds", "-1", "Imports:MaxCacheSeconds -1 must be more than 0 and at most 86400 seconds.")]
    [InlineData("Imports:NegativeCacheSeconds", "0", "Imports:NegativeCacheSeconds 0 must be more than 0 and at most 3600 seconds.")]
    public void AValueOutOfRangeIsRefusedNamingTheKey(string key, string value, string message) =>
        Assert.Equal(message, Assert.Throws<InvalidOperationException>(() => From((key, value))).Message);

    [Fact]
    public void ASocketPathTooLongForUnixSocketsIsRefused()
    {
        var path = "/tmp/" + new string('s', 120) + ".sock";
        var refused = Assert.Throws<InvalidOperationException>(() => From(("Imports:Socket", path)));
        Assert.Equal($"Imports:Socket '{path}' is longer than a Unix socket path may be (107 bytes).", refused.Message);
    }
}
