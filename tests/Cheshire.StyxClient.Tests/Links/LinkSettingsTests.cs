using System.Net;
using Cheshire.StyxClient.Links;
using Microsoft.Extensions.Configuration;

namespace Cheshire.StyxClient.Tests.Links;

public sealed class LinkSettingsTests
{
    private static LinkSettings From(params (string Key, string Value)[] values) =>
        LinkSettings.From(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))
                .Append(new("Cheshire:DataDir", "/tmp/cheshire-link-settings")))
            .Build());

    [Fact]
    public void Defaults_listen_on_all_interfaces_on_5660_and_relay_to_the_provider_socket_of_the_data_folder()
    {
        var settings = From();
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Any, 5660), settings.Endpoint);
        Assert.Equal("/tmp/cheshire-link-settings/styx-provider.sock", settings.ProviderSocket);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.IdleTimeout);
    }

    [Theory]
    [InlineData("6000", "[::]:6000")]
    [InlineData("127.0.0.1:6001", "127.0.0.1:6001")]
    [InlineData("[::1]:6002", "[::1]:6002")]
    public void The_endpoint_is_a_port_or_an_address_and_port(string text, string endpoint) =>
        Assert.Equal(IPEndPoint.Parse(endpoint), From(("Link:Endpoint", text)).Endpoint);

    [Theory]
    [InlineData("Link:Endpoint", "70000")]
    [InlineData("Link:Endpoint", "localhost:5660")]
    [InlineData("Link:Endpoint", "::1")]
    [InlineData("Link:IdleSeconds", "0")]
    [InlineData("Link:MaxLinks", "0")]
    public void Bad_values_stop_the_module_naming_the_key(string key, string value)
    {
        var e = Assert.Throws<InvalidOperationException>(() => From((key, value)));
        Assert.StartsWith($"{key} ", e.Message);
    }
}
