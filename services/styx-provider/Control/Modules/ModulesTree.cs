using Cheshire.Protos.Modules;
using Cheshire.Styx.Protocol;
using Cheshire.StyxProvider.Control.Files;
using ModulesClient = Cheshire.Protos.Modules.Modules.ModulesClient;

namespace Cheshire.StyxProvider.Control.Modules;

/// <summary>
/// The /modules control tree (see Control/README.md), served from the supervisor's Modules API: <c>list</c>, and per
/// module NAME/status, NAME/ctl (start, stop, restart, test, watch on|off, set KEY VALUE, reset KEY, uninstall) and NAME/test
/// (the last test run through ctl).
/// </summary>
public static class ModulesTree
{
    public const string Mount = "modules";
    public const int QidTree = 3;
    private const int ModuleKind = 1, StatusKind = 2, CtlKind = 3, TestKind = 4;

    /// <param name="client">Makes the calls to the supervisor (no per-attempt timeout: a start waits for health).</param>
    /// <param name="unconfigured">When the supervisor's address is not configured, why: every call fails with it at once.</param>
    public static ModulesDirectory Build(Func<ModulesClient> client, string? unconfigured = null)
    {
        var qids = new QidSpace(QidTree);
        var state = new TreeState();
        var calls = new ModulesCalls(client, state, unconfigured);
        var rootQid = qids.Directory();
        ModulesDirectory? root = null;
        var list = new GeneratedFile("list", qids.File(), state, async ct =>
        {
            var reply = await calls.RunAsync((c, deadline) => c.ListAsync(new ListModulesRequest(), deadline: deadline,
                cancellationToken: ct).ResponseAsync, ModulesCalls.ReadDeadline, ct);
            root!.Remember(reply);
            return ModulesText.List(reply);
        });
        root = new ModulesDirectory(rootQid, list, calls, name => Module(name, qids, state, calls));
        return root;
    }

    private static ControlDirectory Module(string name, QidSpace qids, TreeState state, ModulesCalls calls)
    {
        var directory = new ControlDirectory(name, new Qid(QidType.Directory, 0, qids.File(ModuleKind, name).Path));
        directory.Add(new GeneratedFile("status", qids.File(StatusKind, name), state, async ct => ModulesText.Status(
            await calls.RunAsync((c, deadline) => c.GetAsync(new ModuleRequest { Name = name }, deadline: deadline,
                cancellationToken: ct).ResponseAsync, ModulesCalls.ReadDeadline, ct))));
        var commands = new ModuleCommands(name, calls);
        directory.Add(new CommandFile("ctl", qids.File(CtlKind, name), state, ModuleCommands.Help, commands.ExecuteAsync));
        directory.Add(new GeneratedFile("test", qids.File(TestKind, name), state, _ =>
            Task.FromResult(commands.LastTest ?? "no test run yet: echo test > ctl\n")));
        return directory;
    }
}
