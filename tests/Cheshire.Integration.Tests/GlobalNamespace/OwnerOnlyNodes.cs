using System.Text.Json;
using Cheshire.Testing;

namespace Cheshire.Integration.Tests.GlobalNamespace;

/// <summary>
/// Three nodes of one network. A (user 1) exports /alice/music to everyone and /alice/private with no "allow" (owner
/// only); C is another node of user 1 (a copy of A's user.key in its data folder); B is user 2. B and C import through
/// their styx-root. Ready once C reads A's private file, so whatever B is asked later is asked after it was published.
/// </summary>
public sealed class OwnerOnlyNodes : IAsyncLifetime
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    public const string SecretText = "only user 1's nodes read this\n";
    public const string SongText = "anyone in the network reads this\n";

    private readonly ModuleNetwork _network = new("owner-only");

    public NetworkNode A { get; private set; } = null!;
    public NetworkNode B { get; private set; } = null!;
    public NetworkNode C { get; private set; } = null!;
    public NodeRoot RootB { get; private set; } = null!;
    public NodeRoot RootC { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        try
        {
            await StartAsync(TestContext.Current.CancellationToken);
        }
        catch (Exception e)
        {
            // xunit disposes the fixture (and so the modules) after this.
            throw new InvalidOperationException($"{e.Message}\n{Describe()}", e);
        }
    }

    private async Task StartAsync(CancellationToken ct)
    {
        string music = _network.NewFolder("music"), secret = _network.NewFolder("private");
        await File.WriteAllTextAsync(Path.Combine(music, "song.txt"), SongText, ct);
        await File.WriteAllTextAsync(Path.Combine(secret, "secret.txt"), SecretText, ct);
        (A, _) = await _network.StartExportingNodeWithRootAsync($$"""
            {
              "/alice/music": { "server": "export", "root": {{JsonSerializer.Serialize(music)}}, "allow": ["*"] },
              "/alice/private": { "server": "export", "root": {{JsonSerializer.Serialize(secret)}} }
            }
            """, Bound, ct);
        (C, RootC) = await _network.StartImportingNodeWithRootAsync(_network.NewFolderWithUserKeyOf(A), A.DhtEndpoint, Bound, ct);
        (B, RootB) = await _network.StartImportingNodeWithRootAsync(_network.NewFolder("node"), A.DhtEndpoint, Bound, ct);
        await Eventually.SucceedsAsync(async () =>
        {
            await using var fs = await RootC.MountAsync(ct);
            return await fs.ReadTextAsync("alice/private/secret.txt", ct);
        }, Bound, "C reads /alice/private/secret.txt through its styx-root", ct);
    }

    /// <summary>Every module's output, for failure messages.</summary>
    public string Describe() => _network.Describe();

    public ValueTask DisposeAsync() => _network.DisposeAsync();
}
