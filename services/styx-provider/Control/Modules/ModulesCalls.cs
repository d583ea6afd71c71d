using Cheshire.Styx.Protocol;
using Cheshire.StyxProvider.Control.Files;
using ModulesClient = Cheshire.Protos.Modules.Modules.ModulesClient;

namespace Cheshire.StyxProvider.Control.Modules;

/// <summary>
/// Calls to the supervisor's Modules API for the /modules tree: bounded by a deadline, failures turned into 9P errors
/// ("supervisor unavailable: …" when it cannot be reached, "supervisor: …" when it refused), and the tree told when the
/// supervisor was unreachable (so listings answer at once from what was last known).
/// </summary>
public sealed class ModulesCalls(Func<ModulesClient> client, TreeState state, string? unconfigured)
{
    public const string Label = "supervisor";

    /// <summary>List and Get: the supervisor answers at once, but asks each module's /health (3 s at most).</summary>
    public static readonly TimeSpan ReadDeadline = TimeSpan.FromSeconds(10);

    /// <summary>Start (Ensure: dependencies first, each until healthy; 120 s by default), stop (30 s), restart.</summary>
    public static readonly TimeSpan CommandDeadline = TimeSpan.FromMinutes(3);

    /// <summary>Test: builds the module's test project and runs its fast tests.</summary>
    public static readonly TimeSpan TestDeadline = TimeSpan.FromMinutes(10);

    public TreeState State => state;

    public async Task<T> RunAsync<T>(Func<ModulesClient, DateTime, Task<T>> call, TimeSpan deadline, CancellationToken ct)
    {
        if (unconfigured is not null)
            throw Unreachable(ModuleErrors.Unavailable(Label, unconfigured));
        try
        {
            return await ModuleCalls.RunAsync(Label, () => call(client(), ModuleCalls.Deadline(deadline)), ct);
        }
        catch (StyxErrorException e) when (ModuleErrors.IsUnavailable(e))
        {
            throw Unreachable(e);
        }
    }

    private StyxErrorException Unreachable(StyxErrorException e)
    {
        state.Unreachable();
        return e;
    }
}
