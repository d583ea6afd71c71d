using Cheshire.Protos.Namespace;
using Cheshire.Protos.Provider;
using Cheshire.Testing;
using Grpc.Core;

namespace Cheshire.StyxProvider.Tests;

/// <summary>The provider's servers appear in styx-root's namespace, follow the exports file and the API, and survive restarts.</summary>
public sealed class NamespaceMountTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Bound = ProviderNode.Bound;

    private static string ProxyOf(DiodServer diod, string path) =>
        $"\"{path}\": {{ \"server\": \"proxy\", \"address\": \"127.0.0.1:{diod.Port}\", \"aname\": \"{diod.Directory}\" }}";

    [Fact]
    public async Task AProxiedServerIsInTheNamespaceAndComesBackAfterEitherModuleRestarts()
    {
        await using var diod = await DiodServer.StartAsync();
        await File.WriteAllTextAsync(diod.PathOf("hello"), "hello from diod\n", Ct);
        await using var node = await ProviderNode.StartAsync($"{{ {ProxyOf(diod, "/srv/diod")} }}");

        Assert.Equal("hello from diod\n", await Eventually.SucceedsAsync(() => node.ReadAsync("srv/diod/hello", Ct), Bound, "read through the namespace", Ct));
        var mount = Assert.Single((await node.Namespace.ListMountsAsync(new ListMountsRequest(), cancellationToken: Ct)).Mounts, m => m.Path == "/srv/diod");
        Assert.Equal($"9p unix!{Path.Combine(node.Provider.DataDirectory, "styx-provider.sock")} /srv/diod", mount.Source);

        // styx-root restarts with an empty mount table: the provider mounts its trees again by itself.
        await node.RestartRootAsync();
        Assert.Equal("hello from diod\n", await Eventually.SucceedsAsync(() => node.ReadAsync("srv/diod/hello", Ct), Bound, "read after styx-root restarted", Ct));

        // The provider restarts: the same 9P connection to styx-root reads again, with no remount.
        await using var fs = await node.MountAsync(Ct);
        Assert.Equal("hello from diod\n", await fs.ReadTextAsync("srv/diod/hello", Ct));
        await node.RestartProviderAsync();
        await File.WriteAllTextAsync(diod.PathOf("hello"), "still here\n", Ct);
        Assert.Equal("still here\n", await Eventually.SucceedsAsync(() => fs.ReadTextAsync("srv/diod/hello", Ct), Bound, "read after the provider restarted", Ct));
    }

    [Fact]
    public async Task TheExportsFileIsReloadedAndABadOneChangesNothing()
    {
        await using var diod = await DiodServer.StartAsync();
        await File.WriteAllTextAsync(diod.PathOf("f"), "data\n", Ct);
        await using var node = await ProviderNode.StartAsync();
        Assert.DoesNotContain((await node.Api.ListServersAsync(new ListServersRequest(), cancellationToken: Ct)).Servers, s => !s.BuiltIn);

        await File.WriteAllTextAsync(node.ExportsFile, $"{{ {ProxyOf(diod, "/a")} }}", Ct);
        Assert.Equal("data\n", await Eventually.SucceedsAsync(() => node.ReadAsync("a/f", Ct), Bound, "/a after the file was written", Ct));

        await File.WriteAllTextAsync(node.ExportsFile, $"{{\n  {ProxyOf(diod, "/a")},\n  \"/b\": {{ \"server\": \"tape\" }}\n}}", Ct);
        var list = await Eventually.SucceedsAsync(async () =>
        {
            var reply = await node.Api.ListServersAsync(new ListServersRequest(), cancellationToken: Ct);
            return reply.ConfigError.Length > 0 ? reply : throw new InvalidOperationException("not rejected yet");
        }, Bound, "the bad file rejected", Ct);
        Assert.Equal($"{node.ExportsFile}:3: \"/b\": key \"server\": unknown server kind 'tape'; expected export, proxy, js.", list.ConfigError);
        Assert.Contains("Exports file rejected", node.Provider.Output);
        Assert.Equal(["/a"], list.Servers.Where(s => !s.BuiltIn).Select(s => s.Definition.Path));
        Assert.Equal("data\n", await node.ReadAsync("a/f", Ct));

        await File.WriteAllTextAsync(node.ExportsFile, "{}", Ct);
        await Eventually.TrueAsync(async () => !(await node.Namespace.ListMountsAsync(new ListMountsRequest(), cancellationToken: Ct)).Mounts.Any(m => m.Path == "/a"),
            Bound, "/a unmounted after it left the file", Ct);
    }

    [Fact]
    public async Task TheApiAddsAndRemovesServersAndWritesTheFileBack()
    {
        await using var diod = await DiodServer.StartAsync();
        await File.WriteAllTextAsync(diod.PathOf("f"), "via api\n", Ct);
        await using var node = await ProviderNode.StartAsync();

        var added = await node.Api.AddServerAsync(new AddServerRequest
        {
            Server = new Protos.Provider.ServerDefinition { Path = "/api", Server = "proxy", Address = $"127.0.0.1:{diod.Port}", Aname = diod.Directory },
        }, cancellationToken: Ct);
        Assert.Equal($"proxy tcp!127.0.0.1!{diod.Port} {diod.Directory}", added.Description);
        Assert.Contains("\"/api\"", await File.ReadAllTextAsync(node.ExportsFile, Ct));
        Assert.Equal("via api\n", await Eventually.SucceedsAsync(() => node.ReadAsync("api/f", Ct), Bound, "/api in the namespace", Ct));

        var bad = await Assert.ThrowsAsync<RpcException>(() => node.Api.AddServerAsync(new AddServerRequest
        {
            Server = new Protos.Provider.ServerDefinition { Path = "/bad", Server = "export", Root = "/nonexistent/dir" },
        }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Equal("\"/bad\": key \"root\": '/nonexistent/dir' (/nonexistent/dir) is not a directory.", bad.Status.Detail);

        var reserved = await Assert.ThrowsAsync<RpcException>(() => node.Api.RemoveServerAsync(new RemoveServerRequest { Path = "/nothing" },
            cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, reserved.StatusCode);

        await node.Api.RemoveServerAsync(new RemoveServerRequest { Path = "/api" }, cancellationToken: Ct);
        Assert.DoesNotContain("\"/api\"", await File.ReadAllTextAsync(node.ExportsFile, Ct));
        await Eventually.TrueAsync(async () => !(await node.Namespace.ListMountsAsync(new ListMountsRequest(), cancellationToken: Ct)).Mounts.Any(m => m.Path == "/api"),
            Bound, "/api unmounted", Ct);
    }

    [Fact]
    public async Task WithStyxRootConnectedTheProviderStopsPromptlyOnSigterm()
    {
        await using var node = await ProviderNode.StartAsync();
        await Eventually.TrueAsync(async () => (await node.Namespace.ListMountsAsync(new ListMountsRequest(), cancellationToken: Ct)).Mounts.Any(m => m.Path == "/dht"),
            Bound, "/dht mounted", Ct);
        await using var fs = await node.MountAsync(Ct);
        await fs.ListAsync("dht", Ct); // styx-root now holds a 9P connection to the provider

        var stopped = System.Diagnostics.Stopwatch.StartNew();
        await node.Provider.StopAsync(TimeSpan.FromSeconds(10)); // throws if it is still running then
        Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(5), $"the provider took {stopped.Elapsed} to stop");
    }
}
