using System.Net.Sockets;
using System.Text.Json;
using Cheshire.Styx.Client;
using Cheshire.Styx.Protocol;
using Cheshire.Testing;

namespace Cheshire.Integration.Tests;

/// <summary>
/// styx-root mounting styx-provider's export, as a node runs them: a client holds a file open through styx-root while
/// styx-provider is killed and started again, and reads on with the same fid (styx-root opens the file again on its
/// new connection to the provider).
/// </summary>
public sealed class ProviderRestartTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly string _export = ModuleProcess.NewTempDirectory("export");
    private readonly string _providerData = ModuleProcess.NewTempDirectory("provider");
    private readonly int _styxPort = FreePorts.Tcp();
    private ModuleProcess? _root;
    private ModuleProcess? _provider;

    public async ValueTask InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(_providerData, "exports.json"),
            $$"""{ "/music": { "server": "export", "root": {{JsonSerializer.Serialize(_export)}} } }""");
        _root = ModuleProcess.Start(ModuleProcess.ModuleDll("styx-root", "Cheshire.StyxRoot"),
            new Dictionary<string, string> { ["Styx:Endpoint"] = $"127.0.0.1:{_styxPort}", ["Styx:TmpCapacityBytes"] = "0" });
        _provider = ModuleProcess.Start(ModuleProcess.ModuleDll("styx-provider", "Cheshire.StyxProvider"), new Dictionary<string, string>
        {
            ["services:styx-root:grpc:0"] = _root.GrpcAddress.ToString().TrimEnd('/'),
        }, _providerData);
        // Degraded is up: the node's other modules (styx-client, the dhts) are not started here.
        await Task.WhenAll(_root.WaitHealthyAsync(Bound, default),
            _provider.WaitHealthyAsync(Bound, default));
    }

    [Fact]
    public async Task AFileHeldOpenThroughStyxRootReadsOnAfterStyxProviderRestarts()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = new byte[300_000];
        new Random(7).NextBytes(data);
        await File.WriteAllBytesAsync(Path.Combine(_export, "song.bin"), data, ct);
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", _styxPort, ct);
        await using var fs = await StyxFs.MountAsync(tcp.GetStream(), "tester", ct: ct);
        var file = await Eventually.SucceedsAsync(() => fs.WalkAsync("music/song.bin", ct), Bound, "/music mounted by the provider", ct);
        await fs.Client.LopenAsync(file, LinuxOpenFlags.ReadOnly, ct);
        var directory = await fs.WalkAsync("music", ct);
        var first = await ReadAsync(fs, file, 0, 100_000, ct);

        _provider = await _provider!.RestartAsync();
        await _provider.WaitHealthyAsync(Bound, ct);

        var rest = await ReadAsync(fs, file, first.Length, data.Length, ct);
        Assert.Equal(data, first.Concat(rest).ToArray());
        Assert.True((await fs.Client.GetattrAsync(directory, ct: ct)).Qid.IsDirectory);
        await fs.Client.ClunkAsync(file, ct);
    }

    private static async Task<byte[]> ReadAsync(StyxFs fs, uint fid, long offset, int count, CancellationToken ct)
    {
        var data = new byte[count];
        int filled = 0;
        while (filled < count)
        {
            int read = await fs.Client.ReadAsync(fid, (ulong)(offset + filled), data.AsMemory(filled), ct);
            if (read == 0) break;
            filled += read;
        }
        return data[..filled];
    }

    public async ValueTask DisposeAsync()
    {
        if (_provider is not null) await _provider.DisposeAsync();
        if (_root is not null) await _root.DisposeAsync();
        Directory.Delete(_providerData, recursive: true);
        Directory.Delete(_export, recursive: true);
    }
}
