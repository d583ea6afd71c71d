using System.Globalization;

namespace Cheshire.Testing;

/// <summary>
/// Nodes of one network (one fresh salt) made of module processes, each node a data folder of its own: what a
/// multi-node test starts (dht, styx-provider, styx-client, styx-root), killed in reverse order and its folders removed on dispose.
/// </summary>
public sealed class ModuleNetwork(string name) : IAsyncDisposable
{
    private readonly List<ModuleProcess> _processes = [];
    private readonly List<string> _folders = [];

    public string Salt { get; } = name + "-" + Guid.NewGuid().ToString("N");

    /// <summary>The modules started so far, in start order.</summary>
    public IReadOnlyList<ModuleProcess> Processes => _processes;

    /// <summary>A fresh temp folder (a node's data folder, an exported tree) removed on dispose.</summary>
    public string NewFolder(string prefix)
    {
        var folder = ModuleProcess.NewTempDirectory(prefix);
        _folders.Add(folder);
        return folder;
    }

    /// <summary>Starts services/<paramref name="folder"/> on data folder <paramref name="data"/> in this network, logging warnings and up.</summary>
    public ModuleProcess Start(string folder, string assembly, string data, Dictionary<string, string> settings)
    {
        settings["Cheshire:Salt"] = Salt;
        settings.TryAdd("Logging:LogLevel:Default", "Warning");
        var process = ModuleProcess.Start(ModuleProcess.ModuleDll(folder, assembly), settings, data);
        _processes.Add(process);
        return process;
    }

    /// <summary>
    /// The dht module on 127.0.0.1:<paramref name="udp"/>, joining <paramref name="bootstrap"/> if given; returns once its
    /// health endpoint answers (a lone dht reports Degraded, which is an answer).
    /// </summary>
    public async Task<ModuleProcess> StartDhtAsync(string data, int udp, TimeSpan bound, CancellationToken ct, string? bootstrap = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Dht:Address"] = "127.0.0.1",
            ["Dht:Port"] = udp.ToString(CultureInfo.InvariantCulture),
        };
        if (bootstrap is not null) settings["Dht:Bootstrap:0"] = bootstrap;
        var dht = Start("dht", "Cheshire.Dht", data, settings);
        await dht.WaitHealthyAsync(bound, ct);
        return dht;
    }

    /// <summary>
    /// A node that exports: dht, styx-provider publishing <paramref name="exportsJson"/> (its exports.json) with its link
    /// address and mounting nothing in a namespace, and styx-client serving the exports on that link address; all up (Healthy, or Degraded for the mainline-dht it does not run).
    /// </summary>
    public async Task<NetworkNode> StartExportingNodeAsync(string exportsJson, TimeSpan bound, CancellationToken ct, string? bootstrap = null)
    {
        var data = NewFolder("node");
        await File.WriteAllTextAsync(Path.Combine(data, "exports.json"), exportsJson, ct);
        int udp = FreePorts.Udp(), link = FreePorts.Tcp();
        var dht = await StartDhtAsync(data, udp, bound, ct, bootstrap);
        var provider = Start("styx-provider", "Cheshire.StyxProvider", data, new()
        {
            ["services:dht:grpc:0"] = GrpcOf(dht),
            ["Provider:MountInNamespace"] = "false",
            ["Link:Advertise"] = $"127.0.0.1:{link}",
        });
        await provider.WaitHealthyAsync(bound, ct);
        var client = await StartClientAsync(data, dht, link, bound, ct, provider);
        return new NetworkNode(data, dht, udp, client, $"127.0.0.1:{link}", provider);
    }

    /// <summary>A node that only imports: a dht joined to <paramref name="bootstrap"/> (host:port) and styx-client; all up (Healthy or Degraded).</summary>
    public async Task<NetworkNode> StartImportingNodeAsync(string bootstrap, TimeSpan bound, CancellationToken ct)
    {
        var data = NewFolder("node");
        int udp = FreePorts.Udp(), link = FreePorts.Tcp();
        var dht = await StartDhtAsync(data, udp, bound, ct, bootstrap);
        var client = await StartClientAsync(data, dht, link, bound, ct);
        return new NetworkNode(data, dht, udp, client, $"127.0.0.1:{link}", null);
    }

    private async Task<ModuleProcess> StartClientAsync(string data, ModuleProcess dht, int link, TimeSpan bound, CancellationToken ct, ModuleProcess? provider = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["services:dht:grpc:0"] = GrpcOf(dht),
            ["Link:Endpoint"] = $"127.0.0.1:{link}",
        };
        if (provider is not null) settings["services:styx-provider:grpc:0"] = GrpcOf(provider);
        var client = Start("styx-client", "Cheshire.StyxClient", data, settings);
        await client.WaitHealthyAsync(bound, ct);
        return client;
    }

    /// <summary>A module's gRPC address as a <c>services:NAME:grpc:0</c> setting takes it.</summary>
    public static string GrpcOf(ModuleProcess module) => module.GrpcAddress.ToString().TrimEnd('/');

    /// <summary>Each module's name and the last lines of its output, for failure messages.</summary>
    public string Describe(int lines = 100) =>
        string.Join("\n\n", _processes.Select(p =>
        {
            var all = p.Output.Split('\n');
            return $"----- {p.Name} ({p.DataDirectory}) -----\n{string.Join('\n', all.Length > lines ? all[^lines..] : all)}";
        }));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(_processes)) await process.DisposeAsync();
        foreach (var folder in _folders)
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
