using System.Text;
using Cheshire.StyxProvider.Config;

namespace Cheshire.StyxProvider.Tests.Config;

public sealed class ExportsFileTests : IDisposable
{
    /// <summary>The node's user in these tests: the uid of the seed's example.</summary>
    private const string NodeUid = "52daa2bcbf7a2eb8c6e38a1b6a9e0e429ec81c16";
    private const string OtherUid = "0123456789abcdef0123456789abcdef01234567";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("cheshire-exports-");
    private readonly string _home;
    private readonly ServerValidator _validator;

    public ExportsFileTests()
    {
        _home = _folder.CreateSubdirectory("home").FullName;
        _folder.CreateSubdirectory("music");
        File.WriteAllText(Path.Combine(_folder.FullName, "clock.js"), "");
        _validator = new ServerValidator(_folder.FullName, _home, new HashSet<string> { "/dht", "/cheshire" }, NodeUid);
    }

    private IReadOnlyList<ServerDefinition> Parse(string json) => ExportsFile.Parse(Encoding.UTF8.GetBytes(json), "exports.json", _validator);

    private string ErrorOf(string json) => Assert.Throws<ExportsFileException>(() => Parse(json)).Message;

    [Fact]
    public void TheSeedsFormatWithEveryKindIsRead()
    {
        var servers = Parse("""
            {
              // the seed's example: the home folder
              "/home/alice": { "uid": "52DAA2BCBF7A2EB8C6E38A1B6A9E0E429EC81C16", "server": "export", "root": "~" },
              "/music": { "server": "export", "root": "music", "readOnly": true, "allow": ["*"] },
              "/diod": { "server": "proxy", "address": "127.0.0.1:564", "aname": "/srv", "uname": "root" },
              "/sock": { "server": "proxy", "address": "unix:/run/9p.sock" },
              "/clock": { "server": "js", "script": "clock.js" },
            }
            """);

        Assert.Equal(["/home/alice", "/music", "/diod", "/sock", "/clock"], servers.Select(s => s.Path));
        var home = servers[0];
        Assert.Equal((NodeUid, true), (home.Uid, home.UidWritten));
        Assert.Equal(_home, _validator.ResolvePath(home.Root!));
        Assert.Equal(3, home.Line);
        Assert.True(servers[1].ReadOnly);
        Assert.Equal(["*"], servers[1].Allow);
        Assert.Equal(Path.Combine(_folder.FullName, "music"), _validator.ResolvePath(servers[1].Root!));
        Assert.Equal((NodeUid, false), (servers[1].Uid, servers[1].UidWritten)); // left out: the node's user
        Assert.Equal(("127.0.0.1:564", "/srv", "root"), (servers[2].Address, servers[2].Aname, servers[2].Uname));
        Assert.Equal("clock.js", servers[4].Script);
    }

    [Fact]
    public void AMissingFileMeansNoServersAndAnEmptyOneToo()
    {
        Assert.Empty(ExportsFile.Load(Path.Combine(_folder.FullName, "absent.json"), _validator));
        Assert.Empty(Parse(""));
        Assert.Empty(Parse("{}"));
    }

    [Fact]
    public void ASyntaxErrorNamesItsLine()
    {
        var error = ErrorOf("{\n  \"/music\": { \"server\": \"export\",\n    \"root\": \"music\" \n  }\n  \"/x\": {}\n}");
        Assert.StartsWith("exports.json:5: JSON syntax error", error);
    }

    [Fact]
    public void AnUnknownKindNamesTheLineAndTheKey()
    {
        var error = ErrorOf("{\n  \"/music\": {\n    \"root\": \"music\",\n    \"server\": \"exprot\"\n  }\n}");
        Assert.Equal("exports.json:4: \"/music\": key \"server\": unknown server kind 'exprot'; expected export, proxy, js.", error);
    }

    [Fact]
    public void AMissingRootNamesTheEntryAndTheKey()
    {
        var error = ErrorOf("{\n\n  \"/music\": { \"server\": \"export\" }\n}");
        Assert.Equal("exports.json:3: \"/music\": key \"root\" is missing: the directory to export.", error);
    }

    [Fact]
    public void ARootThatIsNotADirectoryIsRefused()
    {
        var error = ErrorOf("{ \"/music\": {\n \"server\": \"export\",\n \"root\": \"nowhere\" } }");
        Assert.StartsWith("exports.json:3: \"/music\": key \"root\": 'nowhere'", error);
        Assert.EndsWith("is not a directory.", error);
    }

    [Fact]
    public void AnotherUsersUidRejectsTheFileNamingTheNodesUser()
    {
        var error = ErrorOf($$"""
            {
              "/music": { "server": "export", "root": "music" },
              "/theirs": { "server": "export", "root": "music",
                "uid": "{{OtherUid.ToUpperInvariant()}}" }
            }
            """);

        Assert.Equal($"exports.json:4: \"/theirs\": key \"uid\": '{OtherUid}' is not this node's user {NodeUid}: a node serves only " +
            "its own user's servers. Leave \"uid\" out (it then means the node's user), or give this node that user's key (see the README).", error);
    }

    [Fact]
    public void AUidLeftOutStaysOutWhenTheFileIsWrittenBack()
    {
        var servers = Parse($$"""
            { "/mine": { "server": "export", "root": "music" },
              "/named": { "server": "export", "root": "music", "uid": "{{NodeUid.ToUpperInvariant()}}" } }
            """);
        var path = Path.Combine(_folder.FullName, "exports.json");

        ExportsFileWriter.Save(path, servers);

        var text = File.ReadAllText(path);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "\"uid\""));
        Assert.Contains($"\"uid\": \"{NodeUid}\"", text);
        Assert.All(ExportsFile.Load(path, _validator), s => Assert.Equal(NodeUid, s.Uid));
    }

    [Theory]
    [InlineData("52daa2bcbf7a2eb8c6e38a1b6a9e0e429ec81c1", "is not a user id")]
    [InlineData("zzdaa2bcbf7a2eb8c6e38a1b6a9e0e429ec81c16", "is not a user id")]
    public void ABadUidNamesItsLine(string uid, string problem)
    {
        var error = ErrorOf($"{{ \"/music\": {{ \"server\": \"export\", \"root\": \"music\",\n  \"uid\": \"{uid}\" }} }}");
        Assert.StartsWith("exports.json:2: \"/music\": key \"uid\":", error);
        Assert.Contains(problem, error);
    }

    [Theory]
    [InlineData("{ \"/m\": { \"server\": \"export\", \"root\": \"music\", \"address\": \"x:1\" } }", "key \"address\": does not apply to a 'export' server")]
    [InlineData("{ \"/m\": { \"server\": \"export\", \"root\": \"music\", \"colour\": \"red\" } }", "key \"colour\": unknown key")]
    [InlineData("{ \"/m\": { \"server\": \"export\", \"root\": \"music\", \"readOnly\": \"yes\" } }", "key \"readOnly\": expected true or false.")]
    [InlineData("{ \"/m\": { \"server\": \"proxy\", \"address\": \"nowhere\" } }", "key \"address\": 'nowhere' is neither host:port nor unix:/absolute/path.")]
    [InlineData("{ \"/m\": { \"server\": \"js\", \"script\": \"absent.js\" } }", "key \"script\": 'absent.js'")]
    [InlineData("{ \"/m\": { \"root\": \"music\" } }", "key \"server\" is missing")]
    [InlineData("{ \"m\": { \"server\": \"export\", \"root\": \"music\" } }", "the path must be absolute")]
    [InlineData("{ \"/a/../b\": { \"server\": \"export\", \"root\": \"music\" } }", "the path must be canonical")]
    [InlineData("{ \"/\": { \"server\": \"export\", \"root\": \"music\" } }", "\"/\" is the namespace itself")]
    [InlineData("{ \"/dht/x\": { \"server\": \"export\", \"root\": \"music\" } }", "the path is taken by the node's own trees")]
    [InlineData("{ \"/m\": { \"server\": \"export\", \"root\": \"music\" }, \"/m\": { \"server\": \"export\", \"root\": \"music\" } }", "\"/m\" is defined twice.")]
    [InlineData("[1, 2]", "the file must be a JSON object")]
    [InlineData("{ \"/m\": \"music\" }", "the value must be an object")]
    [InlineData("{ \"/m\": { \"server\": \"export\", \"root\": \"music\", \"allow\": [\"bob\"] } }", "key \"allow\": 'bob' is neither a user id")]
    [InlineData("{ \"/m\": { \"server\": \"export\", \"root\": \"music\", \"allow\": \"*\" } }", "key \"allow\": expected a list of user ids or \"*\".")]
    [InlineData("{ \"/m\": { \"server\": \"export\", \"root\": \"music\", \"allow\": [\"*\", \"52daa2bcbf7a2eb8c6e38a1b6a9e0e429ec81c16\"] } }", "key \"allow\": \"*\" already lets every node")]
    [InlineData("{ \"/m@0123abcd\": { \"server\": \"export\", \"root\": \"music\" } }", "the path cannot be published in the global namespace: the name 'm@0123abcd' ends like")]
    public void EveryMistakeIsExplained(string json, string expected)
    {
        var error = ErrorOf(json);
        Assert.StartsWith("exports.json:1: ", error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void WrittenBackAtomicallyItReadsTheSame()
    {
        var servers = Parse("""
            { "/music": { "server": "export", "root": "music", "readOnly": true, "allow": ["*"] },
              "/diod": { "server": "proxy", "address": "unix:/run/9p.sock", "aname": "/srv" } }
            """);
        var path = Path.Combine(_folder.FullName, "exports.json");
        File.WriteAllText(path, "old content");

        ExportsFileWriter.Save(path, servers);

        var again = ExportsFile.Load(path, _validator);
        Assert.Equal(servers.OrderBy(s => s.Path).Select(s => s with { Line = 0 }), again.Select(s => s with { Line = 0 }),
            (a, b) => a.SameAs(b));
        Assert.Single(_folder.GetFiles("*.json"));
        Assert.Empty(_folder.GetFiles("*.tmp", SearchOption.AllDirectories));
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
