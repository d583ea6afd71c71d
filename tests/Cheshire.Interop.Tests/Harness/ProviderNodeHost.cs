using System.Net.Sockets;
using System.Text.Json;
using Cheshire.Styx.Client;
using Cheshire.Testing;

namespace Cheshire.Interop.Tests.Harness;

/// <summary>
/// A node's namespace made of processes: styx-root (9P on a free port), a lone dht, and styx-provider pointed at both,
/// with an exports file that exports a fresh temp directory at /home/export and serves samples/clock.js at /clock.
/// Ready once all three trees (and the built-in /dht) answer through styx-root.
/// </summary>
public sealed class ProviderNodeHost : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private ModuleProcess? _root, _dht, _provider;
    private readonly string _providerData = ModuleProcess.NewTempDirectory("interop-provider");

    public string ExportDir { get; } = ModuleProcess.NewTempDirectory("interop-export");
    public int StyxPort { get; } = FreePorts.Tcp();
    public string DhtNode { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        _root = ModuleProcess.Start(ModuleProcess.ModuleDll("styx-root", "Cheshire.StyxRoot"),
            new Dictionary<string, string> { ["Styx:Endpoint"] = $"127.0.0.1:{StyxPort}", ["Styx:TmpCapacityBytes"] = "0" });
        _dht = ModuleProcess.Start(ModuleProcess.ModuleDll("dht", "Cheshire.Dht"), new Dictionary<string, string>
        {
            ["Dht:Address"] = "127.0.0.1",
            ["Dht:Port"] = FreePorts.Udp().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        });
        var clock = Path.Combine(ModuleProcess.RepositoryRoot, "services", "styx-provider", "samples", "clock.js");
        await File.WriteAllTextAsync(Path.Combine(_providerData, "exports.json"), $$"""
            {
              "/home/export": { "server": "export", "root": {{JsonSerializer.Serialize(ExportDir)}} },
              "/clock": { "server": "js", "script": {{JsonSerializer.Serialize(clock)}} }
            }
            """);
        _provider = ModuleProcess.Start(ModuleProcess.ModuleDll("styx-provider", "Cheshire.StyxProvider"), new Dictionary<string, string>
        {
            ["services:styx-root:grpc:0"] = _root.GrpcAddress.ToString().TrimEnd('/'),
            ["services:dht:grpc:0"] = _dht.GrpcAddress.ToString().TrimEnd('/'),
            ["Provider:ReconcileSeconds"] = "0.5",
        }, _providerData);
        await Task.WhenAll(_root.WaitHealthyAsync(Bound, default), _provider.WaitHealthyAsync(Bound, default));
        DhtNode = await Eventually.SucceedsAsync(async () =>
        {
            await using var fs = await MountAsync();
            await fs.ListAsync("home/export");
            await fs.ReadTextAsync("clock/time");
            return await fs.ReadTextAsync("dht/node");
        }, Bound, "/home/export, /clock/time and /dht/node through styx-root");
    }

    /// <summary>Kills styx-provider and starts it again (as its supervisor would), waiting until it is healthy.</summary>
    public async Task RestartProviderAsync()
    {
        _provider = await _provider!.RestartAsync();
        await _provider.WaitHealthyAsync(Bound, default);
    }

    /// <summary>The project's own 9P client attached to styx-root's namespace.</summary>
    public async Task<StyxFs> MountAsync()
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", StyxPort);
        return await StyxFs.MountAsync(tcp.GetStream(), "root");
    }

    /// <summary>The three modules' output, for failure messages.</summary>
    public string Describe() =>
        string.Join("\n\n", new[] { _root, _provider, _dht }.Where(m => m is not null)
            .Select(m => $"----- {m!.Name} -----\n{Tail(m.Output, 150)}"));

    private static string Tail(string text, int lines)
    {
        var all = text.Split('\n');
        return string.Join('\n', all.Length > lines ? all[^lines..] : all);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var module in new[] { _provider, _dht, _root })
        {
            if (module is not null) await module.DisposeAsync();
        }
        foreach (var dir in new[] { ExportDir, _providerData })
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
