using System.Text.RegularExpressions;
using Cheshire.Deploy.Tests.Manifests;
using Cheshire.Testing;
using Docker.DotNet;

namespace Cheshire.Deploy.Tests.Containers;

/// <summary>
/// The Docker engine of deploy/engine.sh (started here when none answers, stopped again after) and the images of
/// deploy/build-images.sh. Testcontainers is set up for it: API 1.41 (Debian's engine), no Ryuk (no image to pull).
/// </summary>
public sealed partial class DockerEngine : IAsyncDisposable
{
    public static string Host { get; } = Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? host : "unix:///run/cheshire-docker.sock";

    /// <summary>The images' tag: the Version of Directory.Build.props, as build-images.sh tags them.</summary>
    public static string Tag { get; } = Environment.GetEnvironmentVariable("TAG") is { Length: > 0 } tag ? tag
        : VersionElement().Match(File.ReadAllText(Path.Combine(ModuleProcess.RepositoryRoot, "Directory.Build.props"))).Groups[1].Value;

    private readonly bool _startedHere;

    private DockerEngine(bool startedHere, IDockerClient? client, IReadOnlyList<string> missingImages)
    {
        _startedHere = startedHere;
        Client = client!;
        MissingImages = missingImages;
    }

    public IDockerClient Client { get; }

    /// <summary>Module images build-images.sh has not built, or why there is no engine (the tests skip, naming them).</summary>
    public IReadOnlyList<string> MissingImages { get; }

    public static string Image(string module) => $"cheshire/{module}:{Tag}";

    public static async Task<DockerEngine> StartAsync()
    {
        var (exit, output, error) = await Kustomize.RunAsync(Path.Combine(Kustomize.DeployDirectory, "engine.sh"), ["start"]);
        if (exit != 0 && Environment.UserName != "root")
            return new DockerEngine(false, null, [$"no Docker engine as {Environment.UserName} ({error.Trim()})"]);
        if (exit != 0)
            throw new InvalidOperationException($"deploy/engine.sh start failed ({exit}): {error}");
        Environment.SetEnvironmentVariable("DOCKER_HOST", Host);
        Environment.SetEnvironmentVariable("DOCKER_API_VERSION", "1.41");
        Environment.SetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED", "true");
        var client = new DockerClientBuilder().WithEndpoint(new Uri(Host)).WithApiVersion(new Version(1, 41)).Build();
        var missing = new List<string>();
        foreach (var module in DeployedModules.All)
        {
            try
            {
                await client.Images.InspectImageAsync(Image(module.Name));
            }
            catch (DockerImageNotFoundException)
            {
                missing.Add(Image(module.Name));
            }
        }
        return new DockerEngine(output.Trim() == "started", client, missing);
    }

    public void RequireImages()
    {
        if (MissingImages.Count > 0)
            Assert.Skip($"missing: {string.Join(", ", MissingImages)} (run deploy/build-images.sh as root)");
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_startedHere)
            await Kustomize.RunAsync(Path.Combine(Kustomize.DeployDirectory, "engine.sh"), ["stop"]);
    }

    [GeneratedRegex("<Version>([^<]+)</Version>")]
    private static partial Regex VersionElement();
}
