using Cheshire.Protos.Modules;
using Cheshire.Styx.Protocol;
using ModulesClient = Cheshire.Protos.Modules.Modules.ModulesClient;

namespace Cheshire.StyxProvider.Control.Modules;

/// <summary>
/// The commands of /modules/NAME/ctl, each a call to the supervisor's Modules API; the reply is the module's line as
/// /modules/list shows it, after the command.
/// </summary>
public sealed class ModuleCommands(string name, ModulesCalls calls)
{
    private static readonly (string Verb, string Usage)[] Commands =
    [
        ("start", "start"),
        ("stop", "stop"),
        ("restart", "restart"),
    ];

    public static readonly string Help = string.Join('\n', Commands.Select(c => c.Usage)) + "\n";

    public Task<string> ExecuteAsync(string text, CancellationToken ct)
    {
        var line = new CommandLine($"{ModulesTree.Mount}/{name}", text);
        var request = new ModuleRequest { Name = name };
        Func<ModulesClient, DateTime, Task<ModuleStatus>> call = line.Verb switch
        {
            // start is Ensure: dependencies first, and the reply comes once the module is healthy
            "start" => (client, deadline) => client.EnsureAsync(request, deadline: deadline, cancellationToken: ct).ResponseAsync,
            "stop" => (client, deadline) => client.StopAsync(request, deadline: deadline, cancellationToken: ct).ResponseAsync,
            "restart" => (client, deadline) => client.RestartAsync(request, deadline: deadline, cancellationToken: ct).ResponseAsync,
            _ => throw new StyxErrorException(Errno.EINVAL,
                $"{ModulesTree.Mount}/{name}: unknown command '{line.Verb}'; commands: {string.Join(", ", Commands.Select(c => c.Verb))}"),
        };
        line.End(Commands.First(c => c.Verb == line.Verb).Usage);
        return RunAsync(call, ct);
    }

    private async Task<string> RunAsync(Func<ModulesClient, DateTime, Task<ModuleStatus>> call, CancellationToken ct) =>
        ModulesText.Line(await calls.RunAsync(call, ModulesCalls.CommandDeadline, ct));
}
