using System.Net;
using Cheshire.Modules;
using Microsoft.Extensions.Configuration;

namespace Cheshire.Supervisor.Tests;

public sealed class SupervisorSettingsTests
{
    private static SupervisorSettings Read(int offset = 0, params (string Key, string Value)[] settings) =>
        SupervisorSettings.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build(), new PortOffset(offset));

    [Fact]
    public void TheDefaultsListenOnLoopbackAndRestartFiveTimesAMinute()
    {
        var settings = Read();

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, SupervisorSettings.DefaultPort), settings.Endpoint);
        Assert.Equal(5, settings.MaxRestarts);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.Window);
        Assert.Equal(TimeSpan.FromMilliseconds(500), settings.Backoff);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.MaxBackoff);
    }

    [Fact]
    public void ThePortOffsetMovesTheDefaultPortButNotAnEndpointGivenExactly()
    {
        Assert.Equal(SupervisorSettings.DefaultPort + 100, Read(100).Endpoint.Port);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 7000), Read(100, (SupervisorSettings.EndpointKey, "[::1]:7000")).Endpoint);
    }

    [Fact]
    public void TheSettingsAreRead()
    {
        var settings = Read(0, (SupervisorSettings.MaxRestartsKey, "2"), (SupervisorSettings.WindowSecondsKey, "10"),
            (SupervisorSettings.BackoffMillisecondsKey, "200"), (SupervisorSettings.MaxBackoffSecondsKey, "5"));

        Assert.Equal((2, 10.0, 200.0, 5.0),
            (settings.MaxRestarts, settings.Window.TotalSeconds, settings.Backoff.TotalMilliseconds, settings.MaxBackoff.TotalSeconds));
    }

    [Theory]
    [InlineData(SupervisorSettings.EndpointKey, "0.0.0.0:5101", "is not a loopback address")]
    [InlineData(SupervisorSettings.EndpointKey, "192.168.1.2:5101", "is not a loopback address")]
    [InlineData(SupervisorSettings.EndpointKey, "localhost:5101", "is not an IP address and port")]
    [InlineData(SupervisorSettings.EndpointKey, "127.0.0.1", "is not an IP address and port")]
    [InlineData(SupervisorSettings.MaxRestartsKey, "-1", "is not a whole number from 0 to 1000")]
    [InlineData(SupervisorSettings.MaxRestartsKey, "many", "is not a whole number from 0 to 1000")]
    [InlineData(SupervisorSettings.WindowSecondsKey, "0", "is not a whole number from 1 to 86400")]
    [InlineData(SupervisorSettings.BackoffMillisecondsKey, "0", "is not a whole number from 1 to 600000")]
    [InlineData(SupervisorSettings.MaxBackoffSecondsKey, "99999", "is not a whole number from 1 to 3600")]
    public void ABadValueIsRefusedNamingItsKey(string key, string value, string reason)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Read(0, (key, value)));

        Assert.StartsWith($"{key} '{value}' {reason}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMaximumBackoffShorterThanTheFirstIsRefused()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            Read(0, (SupervisorSettings.BackoffMillisecondsKey, "5000"), (SupervisorSettings.MaxBackoffSecondsKey, "2")));

        Assert.Equal($"{SupervisorSettings.MaxBackoffSecondsKey} 2 is shorter than {SupervisorSettings.BackoffMillisecondsKey} 5000.", error.Message);
    }

    [Fact]
    public void AnOffsetPushingTheDefaultPortPast65535IsRefused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Read(65000));

        Assert.Contains("the supervisor's Modules API port", error.Message);
    }
}
