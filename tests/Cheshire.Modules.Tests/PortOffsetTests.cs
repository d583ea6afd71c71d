namespace Cheshire.Modules.Tests;

public sealed class PortOffsetTests
{
    [Theory]
    [InlineData(null, 0)]
    [InlineData("", 0)]
    [InlineData("0", 0)]
    [InlineData("100", 100)]
    [InlineData("65535", 65535)]
    public void AnOffsetIsAWholeNumberFromZero(string? configured, int expected) =>
        Assert.Equal(expected, PortOffset.Parse(configured).Value);

    [Theory]
    [InlineData("-1", "Cheshire:PortOffset -1 is negative")]
    [InlineData("65536", "Cheshire:PortOffset 65536 is larger than the largest port")]
    [InlineData("ten", "Cheshire:PortOffset 'ten' is not a whole number")]
    [InlineData("1.5", "Cheshire:PortOffset '1.5' is not a whole number")]
    public void ABadOffsetIsRefusedNamingTheKey(string configured, string message) =>
        Assert.Contains(message, Assert.Throws<InvalidOperationException>(() => PortOffset.Parse(configured)).Message);

    [Fact]
    public void APortMovesByTheOffsetAndAFreePortStaysFree()
    {
        var offset = new PortOffset(100);

        Assert.Equal(6766, offset.Apply(6666, "styx"));
        Assert.Equal(0, offset.Apply(0, "styx"));
        Assert.Equal(65535, new PortOffset(65535 - 6666).Apply(6666, "styx"));
    }

    [Fact]
    public void AnOffsetPushingAPortPast65535NamesTheKeyThePortAndTheLargestOffsetItAllows()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new PortOffset(60000).Apply(6666, "the styx port of styx-root"));

        Assert.Contains("Cheshire:PortOffset 60000 moves the styx port of styx-root from 6666 to 66666, past 65535", error.Message);
        Assert.Contains("at most 58869", error.Message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:15888", "http://127.0.0.1:16888")]
    [InlineData("http://localhost:15888/", "http://localhost:16888/")]
    [InlineData("http://[::1]:18889;https://127.0.0.1:18890", "http://[::1]:19889;https://127.0.0.1:19890")]
    [InlineData("http://*:5000", "http://*:6000")]
    public void DashboardUrlsMoveByTheOffset(string urls, string expected) =>
        Assert.Equal(expected, new PortOffset(1000).ApplyToUrls(urls, "ASPNETCORE_URLS"));

    [Fact]
    public void AUrlWithoutAPortIsRefusedNamingTheKey()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new PortOffset(1).ApplyToUrls("http://127.0.0.1", "ASPNETCORE_URLS"));

        Assert.Contains("ASPNETCORE_URLS 'http://127.0.0.1' has no explicit port", error.Message);
    }

    [Fact]
    public void ADashboardUrlPushedPast65535IsRefusedNamingItsKey()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            new PortOffset(50000).ApplyToUrls("http://127.0.0.1:18889", "ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"));

        Assert.Contains("Cheshire:PortOffset 50000 moves ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", error.Message);
    }
}
