using System.Net.Sockets;
using Cheshire.Protos;
using Cheshire.Styx.Client;
using Cheshire.Testing;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cheshire.StyxRoot.Tests;

/// <summary>
/// Dynamic configuration (ServiceDefaults' ModuleConfig service) on a real styx-root process: a value set at run time
/// is checked by the module's own validators, saved in DATADIR/config/styx-root.json, applied at once where the module
/// reads it through IOptionsMonitor (Styx:ResolveSeconds, log levels), and kept across restarts.
/// </summary>
public sealed class DynamicConfigurationTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Module : IAsyncDisposable
    {
        private readonly GrpcChannel _channel;

        public Module(ModuleProcess process, int styxPort)
        {
            Process = process;
            StyxPort = styxPort;
            _channel = GrpcChannel.ForAddress(process.GrpcAddress);
            Config = new ModuleConfig.ModuleConfigClient(_channel);
        }

        public ModuleProcess Process { get; }
        public int StyxPort { get; }
        public ModuleConfig.ModuleConfigClient Config { get; }
        public string File => Path.Combine(Process.DataDirectory, "config", "styx-root.json");

        public static async Task<Module> StartAsync(IDictionary<string, string>? extra = null)
        {
            var port = FreePorts.Tcp();
            var settings = new Dictionary<string, string> { ["Styx:Endpoint"] = $"127.0.0.1:{port}" };
            foreach (var (key, value) in extra ?? new Dictionary<string, string>())
                settings[key] = value;
            var module = new Module(ModuleProcess.Start(StyxRootProcess.DllPath, settings), port);
            await module.Process.WaitHealthyAsync(Bound, Ct);
            return module;
        }

        public async Task<Module> RestartAsync()
        {
            var restarted = new Module(await Process.RestartAsync(), StyxPort);
            await restarted.Process.WaitHealthyAsync(Bound, Ct);
            return restarted;
        }

        public async Task<SetConfigReply> SetAsync(string key, string value, bool reset = false) =>
            await Config.SetAsync(new SetConfigRequest { Key = key, Value = value, Reset = reset },
                deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: Ct);

        public async Task<RpcException> RefusedAsync(string key, string value)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => SetAsync(key, value));
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            return error;
        }

        /// <summary>The module's settings as its code sees them now (IOptionsMonitor).</summary>
        public async Task<string?> EffectiveAsync(string key)
        {
            var reply = await Config.GetAsync(new GetConfigRequest(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: Ct);
            return reply.Effective.FirstOrDefault(e => e.Key == key)?.Value;
        }

        public async Task<IReadOnlyList<string>> ListRootAsync()
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(System.Net.IPAddress.Loopback, StyxPort, Ct);
            await using var fs = await StyxFs.MountAsync(tcp.GetStream(), uname: "tester", ct: Ct);
            return [.. (await fs.ListAsync("", Ct)).Order(StringComparer.Ordinal)];
        }

        public async ValueTask DisposeAsync()
        {
            _channel.Dispose();
            await Process.DisposeAsync();
        }
    }

    [Fact]
    public async Task ALiveSettingAppliesToTheRunningModuleAndIsSaved()
    {
        await using var module = await Module.StartAsync();
        Assert.Equal("20", await module.EffectiveAsync("Styx:ResolveSeconds"));

        // Spelled in any case, as configuration keys are; answered as the settings class spells it.
        var reply = await module.SetAsync("styx:resolveseconds", "7.5");

        Assert.Equal("Styx:ResolveSeconds", reply.Key);
        Assert.Equal("7.5", reply.Value);
        Assert.True(reply.Live);
        Assert.Equal("applied now", reply.Detail);
        Assert.Equal("7.5", await module.EffectiveAsync("Styx:ResolveSeconds"));
        var saved = Assert.Single(reply.Dynamic);
        Assert.Equal(("Styx:ResolveSeconds", "7.5", true), (saved.Key, saved.Value, saved.Live));
        Assert.Contains("\"Styx:ResolveSeconds\": \"7.5\"", await System.IO.File.ReadAllTextAsync(module.File, Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALogLevelSetAtRunTimeChangesWhatTheRunningModuleLogs()
    {
        await using var module = await Module.StartAsync();
        await module.EffectiveAsync("Styx:ResolveSeconds"); // a gRPC call, logged at Debug by Grpc.AspNetCore.Server
        Assert.DoesNotContain("dbug: Grpc.AspNetCore.Server", module.Process.Output, StringComparison.Ordinal);

        var reply = await module.SetAsync("Logging:LogLevel:Grpc", "debug");
        Assert.Equal(("Logging:LogLevel:Grpc", "Debug", true), (reply.Key, reply.Value, reply.Live));

        await Eventually.TrueAsync(async () =>
        {
            await module.EffectiveAsync("Styx:ResolveSeconds");
            return module.Process.Output.Contains("dbug: Grpc.AspNetCore.Server", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(10), "gRPC debug lines in styx-root's output", Ct);
    }

    [Fact]
    public async Task DynamicValuesHoldAcrossARestartAndWinOverTheStaticConfiguration()
    {
        // A static value on the command line, as the AppHost's environment gives one.
        await using var first = await Module.StartAsync(new Dictionary<string, string> { ["Styx:ResolveSeconds"] = "3" });
        Assert.Equal(["cheshire", "tmp"], await first.ListRootAsync());

        await first.SetAsync("Styx:ResolveSeconds", "9");
        var atStart = await first.SetAsync("Styx:TmpCapacityBytes", "0");
        Assert.False(atStart.Live);
        Assert.Equal("saved; applies at the next restart of styx-root", atStart.Detail);
        Assert.Equal(["cheshire", "tmp"], await first.ListRootAsync()); // not applied: the reply said so

        await using var second = await first.RestartAsync();

        Assert.Equal("9", await second.EffectiveAsync("Styx:ResolveSeconds"));
        Assert.Equal("0", await second.EffectiveAsync("Styx:TmpCapacityBytes"));
        Assert.Equal(["cheshire"], await second.ListRootAsync()); // no /tmp mounted

        // A reset removes the dynamic value: the static one applies again (the ResolveSeconds live, the other at restart).
        var reset = await second.SetAsync("Styx:ResolveSeconds", "", reset: true);
        Assert.Equal(("Styx:ResolveSeconds", ""), (reset.Key, reset.Value));
        Assert.Equal("3", await second.EffectiveAsync("Styx:ResolveSeconds"));
        var left = Assert.Single(reset.Dynamic);
        Assert.Equal(("Styx:TmpCapacityBytes", "0"), (left.Key, left.Value));
    }

    [Fact]
    public async Task AHandEditOfTheFileIsPickedUpByTheRunningModule()
    {
        await using var module = await Module.StartAsync();
        Directory.CreateDirectory(Path.GetDirectoryName(module.File)!);
        await System.IO.File.WriteAllTextAsync(module.File, "{ \"Styx\": { \"ResolveSeconds\": 42 } }", Ct);

        await Eventually.TrueAsync(async () => await module.EffectiveAsync("Styx:ResolveSeconds") == "42",
            TimeSpan.FromSeconds(15), "the edited value in styx-root's settings", Ct);
        var saved = Assert.Single((await module.Config.GetAsync(new GetConfigRequest(), cancellationToken: Ct)).Dynamic);
        Assert.Equal(("Styx:ResolveSeconds", "42"), (saved.Key, saved.Value));
    }

    [Fact]
    public async Task AnInvalidValueIsRefusedWithTheValidatorsMessageAndNothingIsSaved()
    {
        await using var module = await Module.StartAsync();
        await module.SetAsync("Styx:ResolveSeconds", "12");
        var saved = await System.IO.File.ReadAllBytesAsync(module.File, Ct);

        Assert.Contains("Styx:ResolveSeconds 0 must be more than 0 and at most 300",
            (await module.RefusedAsync("Styx:ResolveSeconds", "0")).Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Styx:ResolveSeconds 301 must be more than 0 and at most 300",
            (await module.RefusedAsync("Styx:ResolveSeconds", "301")).Status.Detail, StringComparison.Ordinal);
        Assert.Equal("Styx:ResolveSeconds takes a Double: 'soon' is not one.",
            (await module.RefusedAsync("Styx:ResolveSeconds", "soon")).Status.Detail);
        Assert.Contains("Styx:ResolveSeconds takes a Double; give one, or reset",
            (await module.RefusedAsync("Styx:ResolveSeconds", " ")).Status.Detail, StringComparison.Ordinal);
        Assert.Contains("is not a loopback address",
            (await module.RefusedAsync("Styx:Endpoint", "192.0.2.1:6666")).Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Styx:MaxMessageSize 100 is below 4096",
            (await module.RefusedAsync("Styx:MaxMessageSize", "100")).Status.Detail, StringComparison.Ordinal);
        Assert.StartsWith("Logging:LogLevel:Default takes a log level (Trace, Debug, Information, Warning, Error, Critical, None): 'Loud'",
            (await module.RefusedAsync("Logging:LogLevel:Default", "Loud")).Status.Detail, StringComparison.Ordinal);

        Assert.Equal(saved, await System.IO.File.ReadAllBytesAsync(module.File, Ct));
        Assert.Equal("12", await module.EffectiveAsync("Styx:ResolveSeconds"));
        Assert.Equal(["styx-root.json"], Directory.GetFiles(Path.GetDirectoryName(module.File)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task UnknownKeysAreRefusedSayingWhatTheModuleTakes()
    {
        await using var module = await Module.StartAsync();

        Assert.StartsWith("the key is empty", (await module.RefusedAsync("", "1")).Status.Detail, StringComparison.Ordinal);
        var near = (await module.RefusedAsync("Styx:ResolveMinutes", "1")).Status.Detail;
        Assert.StartsWith("'Styx:ResolveMinutes' is not a setting of styx-root: Styx takes Styx:Endpoint,", near, StringComparison.Ordinal);
        Assert.Contains("Styx:ResolveSeconds", near, StringComparison.Ordinal);
        Assert.DoesNotContain("ResolveTimeout", near, StringComparison.Ordinal); // computed, not a setting
        Assert.Equal("'Cheshire:DataDir' is not a setting styx-root takes at run time; it takes keys under Styx:, Logging:LogLevel:.",
            (await module.RefusedAsync("Cheshire:DataDir", "/tmp")).Status.Detail);
        Assert.StartsWith("'Logging:LogLevel:' names no logging category",
            (await module.RefusedAsync("Logging:LogLevel:", "Debug")).Status.Detail, StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(module.File));
    }
}
