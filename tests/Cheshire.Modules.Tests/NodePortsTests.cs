namespace Cheshire.Modules.Tests;

public sealed class NodePortsTests
{
    private static readonly ModuleDescriptor Root = new()
    {
        Name = "root", Project = "root.csproj",
        Endpoints = [new ModuleEndpoint { Name = "styx", Port = 6666, Setting = "Styx:Endpoint" }],
    };

    private static readonly ModuleDescriptor Dht = new()
    {
        Name = "dht", Project = "dht.csproj",
        Endpoints = [new ModuleEndpoint { Name = "udp", Port = 4222, Protocol = "udp", Setting = "Dht:Port", Format = ModuleEndpoint.PortFormat }],
    };

    private static readonly ModuleDescriptor Announcer = new()
    {
        Name = "announcer", Project = "announcer.csproj", Config = new Dictionary<string, string> { ["Announce:Port"] = "{dht:udp}" },
    };

    private static NodePorts Ports(int offset, Dictionary<string, string>? settings = null) =>
        new(ModuleGraph.From([Root, Dht, Announcer]), new PortOffset(offset), key => settings?.GetValueOrDefault(key));

    [Fact]
    public void EveryDefaultPortMovesByTheOffset()
    {
        var ports = Ports(1000);

        Assert.Equal(7666, ports.Port(Root, Root.Endpoints[0]));
        Assert.Equal("127.0.0.1:7666", ports.SettingValue(Root, Root.Endpoints[0]));
        Assert.Equal("5222", ports.SettingValue(Dht, Dht.Endpoints[0]));
    }

    [Fact]
    public void AnExplicitPortIsTakenAsItIs()
    {
        var ports = Ports(1000, new() { ["Cheshire:Ports:root:styx"] = "7000", ["Cheshire:Config:dht:Dht:Port"] = "43222" });

        Assert.Equal(7000, ports.Port(Root, Root.Endpoints[0]));
        Assert.Equal(43222, ports.Port(Dht, Dht.Endpoints[0]));
    }

    [Fact]
    public void AnExplicitPortThatIsNoPortIsRefusedNamingTheKey()
    {
        var ports = Ports(0, new() { ["Cheshire:Ports:root:styx"] = "70000" });

        var error = Assert.Throws<InvalidOperationException>(() => ports.Port(Root, Root.Endpoints[0]));

        Assert.Contains("Cheshire:Ports:root:styx '70000' is not a port", error.Message);
    }

    [Fact]
    public void AConfigValueNamingAnEndpointGetsItsPortWithTheOffset()
    {
        Assert.Equal("5222", Ports(1000).Expand(Announcer, "Announce:Port", "{dht:udp}"));
        Assert.Equal("plain", Ports(1000).Expand(Announcer, "Announce:Other", "plain"));
    }

    [Theory]
    [InlineData("{ghost:udp}", "names no module 'ghost'")]
    [InlineData("{dht:tcp}", "module 'dht' has no endpoint 'tcp'")]
    public void AConfigValueNamingAMissingEndpointIsRefused(string value, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Ports(0).Expand(Announcer, "Announce:Port", value));

        Assert.Contains($"Module 'announcer': config Announce:Port = {value}", error.Message);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void TheRepositorysModulesAnnounceTheDhtPortTheyBind()
    {
        var services = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "services"));
        var graph = ModuleGraph.Load(services);
        var ports = new NodePorts(graph, new PortOffset(10), _ => null);
        var dht = graph["dht"];
        var mainline = graph["mainline-dht"];

        Assert.Equal("4232", ports.SettingValue(dht, Assert.Single(dht.Endpoints)));
        Assert.Equal("4232", ports.Expand(mainline, "Mainline:CheshireDhtPort", mainline.Config["Mainline:CheshireDhtPort"]));
        Assert.Equal("127.0.0.1:6891", ports.SettingValue(mainline, Assert.Single(mainline.Endpoints)));
    }
}
