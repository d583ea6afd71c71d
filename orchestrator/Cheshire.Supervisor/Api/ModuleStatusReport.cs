using Cheshire.Protos.Modules;
using Google.Protobuf.WellKnownTypes;

namespace Cheshire.Supervisor.Api;

/// <summary>A supervised module as the Modules API reports it.</summary>
public static class ModuleStatusReport
{
    /// <summary>The API's state for a supervision state (of a node's module or an installed one).</summary>
    public static ModuleState StateOf(SupervisionState state) => state switch
    {
        SupervisionState.Starting => ModuleState.Starting,
        SupervisionState.Running => ModuleState.Running,
        SupervisionState.Stopped => ModuleState.Stopped,
        SupervisionState.Restarting => ModuleState.Restarting,
        SupervisionState.Failed => ModuleState.Failed,
        _ => ModuleState.Unknown,
    };

    public static ModuleStatus Of(SupervisedModule module)
    {
        lock (module.Gate)
        {
            var status = new ModuleStatus
            {
                Name = module.Name,
                Module = module.Descriptor.Name,
                State = StateOf(module.State),
                StateDetail = module.AspireState,
                Restarts = (uint)module.Restarts,
                FailureReason = module.FailureReason,
                ProcessId = module.Launched ? module.ProcessId : 0,
            };
            status.Dependencies.AddRange(module.Descriptor.DependsOn);
            status.Uses.AddRange(module.Descriptor.Uses);
            status.Dependents.AddRange(module.Dependents);
            status.ExplicitStart = module.ExplicitStart;
            if (module.Snapshot is { } snapshot)
            {
                status.Endpoints.AddRange(snapshot.Urls.Where(u => !u.IsInternal)
                    .Select(u => new Protos.Modules.ModuleEndpoint { Name = u.Name ?? "", Url = u.Url }));
                if (module.Launched && snapshot.StartTimeStamp is { } started)
                    status.StartedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(started, DateTimeKind.Utc));
            }
            if (module.LastExitCode is { } code)
                status.LastExitCode = code;
            if (module.LastExitAt is { } exited)
                status.LastExitAt = Timestamp.FromDateTimeOffset(exited);
            if (module.NextRestartAt is { } next)
                status.NextRestartAt = Timestamp.FromDateTimeOffset(next);
            return status;
        }
    }
}
