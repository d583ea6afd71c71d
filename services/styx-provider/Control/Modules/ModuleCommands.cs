using Cheshire.Protos.Modules;
using Cheshire.Styx.Protocol;
using ModulesClient = Cheshire.Protos.Modules.Modules.ModulesClient;

namespace Cheshire.StyxProvider.Control.Modules;

/// <summary>
/// The commands of /modules/NAME/ctl, each a call to the supervisor's Modules API. start, stop and restart reply with
/// the module's line as /modules/list shows it after the command; test with its result (also kept in NAME/test);
/// watch with the switch's new position; set and reset with the saved value and whether it applied at once; uninstall
/// (a module Modules.Install added) with the folder removed and the process stopped.
/// </summary>
public sealed class ModuleCommands(string name, ModulesCalls calls)
{
    private const string WatchUsage = "watch on|off";
    private const string SetUsage = "set KEY VALUE";
    private const string ResetUsage = "reset KEY";

    private static readonly (string Verb, string Usage)[] Commands =
    [
        ("start", "start"),
        ("stop", "stop"),
        ("restart", "restart"),
        ("test", "test"),
        ("watch", WatchUsage),
        ("set", SetUsage),
        ("reset", ResetUsage),
        ("uninstall", "uninstall"),
    ];

    public static readonly string Help = string.Join('\n', Commands.Select(c => c.Usage)) + "\n";

    /// <summary>The text of the last test run through this file system ("test" in ctl), for NAME/test.</summary>
    public string? LastTest { get; private set; }

    public Task<string> ExecuteAsync(string text, CancellationToken ct)
    {
        var line = new CommandLine($"{ModulesTree.Mount}/{name}", text);
        var request = new ModuleRequest { Name = name };
        return line.Verb switch
        {
            // start is Ensure: dependencies first, and the reply comes once the module is healthy
            "start" => StatusAsync(line, "start", (c, d) => c.EnsureAsync(request, deadline: d, cancellationToken: ct).ResponseAsync, ct),
            "stop" => StatusAsync(line, "stop", (c, d) => c.StopAsync(request, deadline: d, cancellationToken: ct).ResponseAsync, ct),
            "restart" => StatusAsync(line, "restart", (c, d) => c.RestartAsync(request, deadline: d, cancellationToken: ct).ResponseAsync, ct),
            "test" => TestAsync(line, request, ct),
            "watch" => WatchAsync(line, ct),
            "set" => SetAsync(line, reset: false, ct),
            "reset" => SetAsync(line, reset: true, ct),
            "uninstall" => UninstallAsync(line, ct),
            _ => throw new StyxErrorException(Errno.EINVAL,
                $"{ModulesTree.Mount}/{name}: unknown command '{line.Verb}'; commands: {string.Join(", ", Commands.Select(c => c.Verb))}"),
        };
    }

    private async Task<string> StatusAsync(CommandLine line, string usage, Func<ModulesClient, DateTime, Task<ModuleStatus>> call,
        CancellationToken ct)
    {
        line.End(usage);
        return ModulesText.Line(await calls.RunAsync(call, ModulesCalls.CommandDeadline, ct));
    }

    private async Task<string> TestAsync(CommandLine line, ModuleRequest request, CancellationToken ct)
    {
        line.End("test");
        var reply = await calls.RunAsync((c, d) => c.TestAsync(request, deadline: d, cancellationToken: ct).ResponseAsync,
            ModulesCalls.TestDeadline, ct);
        return LastTest = ReloadText.Test(reply);
    }

    private async Task<string> WatchAsync(CommandLine line, CancellationToken ct)
    {
        var on = line.Word(WatchUsage) switch
        {
            "on" => true,
            "off" => false,
            var other => throw line.Error($"'{other}' is neither on nor off; usage: {WatchUsage}"),
        };
        line.End(WatchUsage);
        var status = await calls.RunAsync((c, d) => c.SetWatchAsync(new SetWatchRequest { Name = name, On = on }, deadline: d,
            cancellationToken: ct).ResponseAsync, ModulesCalls.ReadDeadline, ct);
        return $"{ControlText.Field(status.Name)} watch {(status.Watch ? "on" : "off")}\n";
    }

    /// <summary>Modules.Uninstall: only a module Modules.Install added; the supervisor refuses the node's own.</summary>
    private async Task<string> UninstallAsync(CommandLine line, CancellationToken ct)
    {
        line.End("uninstall");
        var reply = await calls.RunAsync((c, d) => c.UninstallAsync(new ModuleRequest { Name = name }, deadline: d, cancellationToken: ct).ResponseAsync,
            ModulesCalls.CommandDeadline, ct);
        return new PairLines().Add("uninstalled", reply.Name).Add("directory", reply.Directory)
            .Raw("stopped_pid", ModulesText.Pid(reply.StoppedProcessId)).ToString();
    }

    private async Task<string> SetAsync(CommandLine line, bool reset, CancellationToken ct)
    {
        var request = new SetModuleConfigRequest { Name = name, Key = line.Word(reset ? ResetUsage : SetUsage), Reset = reset };
        if (reset) line.End(ResetUsage);
        else request.Value = line.Rest(SetUsage);
        var reply = await calls.RunAsync((c, d) => c.SetConfigAsync(request, deadline: d, cancellationToken: ct).ResponseAsync,
            ModulesCalls.ReadDeadline, ct);
        return new PairLines().Add("key", reply.Key).Add("value", reply.Value).YesNo("live", reply.Live).Add("detail", reply.Detail).ToString();
    }
}
