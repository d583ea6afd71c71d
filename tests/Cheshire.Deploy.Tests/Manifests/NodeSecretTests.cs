using System.Text;

namespace Cheshire.Deploy.Tests.Manifests;

/// <summary>deploy/node-secret.sh: the command the README gives for the node's Secret.</summary>
public sealed class NodeSecretTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("cheshire-node-secret-");
    private string Keys => Path.Combine(_folder.FullName, "keys");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task Makes_private_keys_once_and_prints_the_same_secret_again()
    {
        var first = await NodeSecret.RunAsync(Keys);
        var second = await NodeSecret.RunAsync(Keys);

        Assert.Equal(0, first.Exit);
        Assert.Equal(first.Output, second.Output);
        foreach (var (file, header) in new[] { ("node.key", "cheshire-ed25519-seed-v1"), ("user.key", "cheshire-ed25519-user-seed-v1") })
        {
            var path = Path.Combine(Keys, file);
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            var lines = File.ReadAllLines(path);
            Assert.Equal(header, lines[0]);
            Assert.Matches("^[0-9a-f]{64}$", lines[1]);
        }
        var secret = k8s.KubernetesYaml.LoadAllFromString(first.Output, strict: true).Cast<k8s.Models.V1Secret>().Single();
        Assert.Equal(File.ReadAllBytes(Path.Combine(Keys, "node.key")), secret.Data["node.key"]);
    }

    [Fact]
    public async Task Takes_an_existing_user_key_and_refuses_a_file_that_is_not_one()
    {
        var userKey = Path.Combine(_folder.FullName, "user.key");
        await File.WriteAllTextAsync(userKey, "cheshire-ed25519-user-seed-v1\n" + new string('a', 64) + "\n", Encoding.ASCII, TestContext.Current.CancellationToken);
        var notAKey = Path.Combine(_folder.FullName, "notes.txt");
        await File.WriteAllTextAsync(notAKey, "hello\n", TestContext.Current.CancellationToken);

        var secret = await NodeSecret.CreateAsync("--user-key", userKey);
        var refused = await NodeSecret.RunAsync(Path.Combine(_folder.FullName, "other"), "--user-key", notAKey);

        Assert.Equal(await File.ReadAllBytesAsync(userKey, TestContext.Current.CancellationToken), secret.Data["user.key"]);
        Assert.NotEqual(0, refused.Exit);
        Assert.Contains("is not a Cheshire user key", refused.Error);
    }
}
