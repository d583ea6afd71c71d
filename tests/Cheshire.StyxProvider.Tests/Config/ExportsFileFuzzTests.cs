using System.Text;
using Cheshire.StyxProvider.Config;

namespace Cheshire.StyxProvider.Tests.Config;

/// <summary>Mangled exports files are rejected with an ExportsFileException naming a line, never anything else.</summary>
public sealed class ExportsFileFuzzTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("cheshire-exports-fuzz-");

    [Fact]
    public void TwentyThousandMangledFilesGiveOnlyClearErrors()
    {
        _folder.CreateSubdirectory("music");
        File.WriteAllText(Path.Combine(_folder.FullName, "clock.js"), "");
        var validator = new ServerValidator(_folder.FullName, _folder.FullName, new HashSet<string> { "/dht" },
            "52daa2bcbf7a2eb8c6e38a1b6a9e0e429ec81c16");
        var seed = Encoding.UTF8.GetBytes("""
            { // comment
              "/a/b": { "uid": "52daa2bcbf7a2eb8c6e38a1b6a9e0e429ec81c16", "server": "export", "root": "music", "readOnly": true },
              "/p": { "server": "proxy", "address": "unix:/run/x.sock", "aname": "/", "uname": "root", "allow": ["*"] },
              "/c": { "server": "js", "script": "clock.js" },
            }
            """);
        var alphabet = "{}[]\":,/\\ \n\t0123456789abcdefnulltruefalse~.-*é\0"u8.ToArray();
        var random = new Random(20261130);
        int accepted = 0, rejected = 0;
        for (int round = 0; round < 20_000; round++)
        {
            var bytes = seed.ToList();
            for (int edits = random.Next(1, 6); edits > 0; edits--)
            {
                int at = random.Next(bytes.Count + 1);
                switch (random.Next(3))
                {
                    case 0 when at < bytes.Count: bytes.RemoveAt(at); break;
                    case 1 when at < bytes.Count: bytes[at] = random.Next(4) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)]; break;
                    default: bytes.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                }
            }
            try
            {
                ExportsFile.Parse(bytes.ToArray(), "exports.json", validator);
                accepted++;
            }
            catch (ExportsFileException e)
            {
                Assert.Matches(@"^exports\.json:\d+: ", e.Message);
                rejected++;
            }
        }
        Assert.True(accepted > 100 && rejected > 10_000, $"accepted {accepted}, rejected {rejected}");
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
