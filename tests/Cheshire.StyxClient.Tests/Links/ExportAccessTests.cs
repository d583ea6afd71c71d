using Cheshire.Protos.Provider;
using Cheshire.Styx.Protocol;
using Cheshire.StyxClient.Links;

namespace Cheshire.StyxClient.Tests.Links;

public sealed class ExportAccessTests
{
    private const string Owner = "1111111111111111111111111111111111111111";
    private const string Friend = "2222222222222222222222222222222222222222";
    private const string Stranger = "3333333333333333333333333333333333333333";

    private static ServerEntry Export(string path, params string[] allow)
    {
        var definition = new ServerDefinition { Path = path, Server = "export", Uid = Owner, Root = "/srv" };
        definition.Allow.AddRange(allow);
        return new ServerEntry { Definition = definition };
    }

    [Fact]
    public void The_owner_attaches_an_export_without_an_allow_list()
    {
        Assert.Equal("/music", ExportAccess.Check([Export("/music")], "/music", Owner).Path);
    }

    [Fact]
    public void Another_uid_is_refused_naming_uid_path_owner_and_that_only_the_owner_may()
    {
        var e = Assert.Throws<StyxErrorException>(() => ExportAccess.Check([Export("/music")], "/music", Stranger));
        Assert.Equal(Errno.EACCES, e.Errno);
        Assert.Equal($"attach refused: uid {Stranger} may not attach /music (owner {Owner}; no allow list: owner only)", e.Message);
    }

    [Fact]
    public void An_allowed_uid_attaches_and_one_not_on_the_list_is_told_the_list()
    {
        ServerEntry[] servers = [Export("/music", Friend)];
        Assert.Equal("/music", ExportAccess.Check(servers, "/music", Friend).Path);
        var e = Assert.Throws<StyxErrorException>(() => ExportAccess.Check(servers, "/music", Stranger));
        Assert.EndsWith($"(owner {Owner}; allow {Friend})", e.Message);
    }

    [Fact]
    public void Star_lets_every_uid_attach()
    {
        Assert.Equal("/pub", ExportAccess.Check([Export("/pub", "*")], "/pub", Stranger).Path);
    }

    [Fact]
    public void Built_in_trees_and_unknown_paths_are_not_exports()
    {
        var builtIn = new ServerEntry { Definition = new ServerDefinition { Path = "/dht" }, BuiltIn = true };
        var e = Assert.Throws<StyxErrorException>(() => ExportAccess.Check([builtIn, Export("/music")], "/dht", Owner));
        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.Equal("attach refused: this node exports nothing at /dht", e.Message);
        Assert.Throws<StyxErrorException>(() => ExportAccess.Check([Export("/music")], "/video", Owner));
    }

    [Theory]
    [InlineData("/music/", "/music")]
    [InlineData("//alice//music", "/alice/music")]
    public void Attach_names_are_normalized(string aname, string path) => Assert.Equal(path, ExportAccess.NormalizePath(aname));

    [Theory]
    [InlineData("")]
    [InlineData("music")]
    [InlineData("/")]
    [InlineData("/music/../etc")]
    [InlineData("/./music")]
    public void Attach_names_that_are_not_export_paths_are_refused(string aname)
    {
        var e = Assert.Throws<StyxErrorException>(() => ExportAccess.NormalizePath(aname));
        Assert.StartsWith("attach refused: ", e.Message);
    }
}
