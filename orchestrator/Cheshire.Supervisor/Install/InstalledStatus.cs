using Cheshire.Protos.Modules;
using Cheshire.Supervisor.Api;
using Google.Protobuf.WellKnownTypes;

namespace Cheshire.Supervisor.Install;

/// <summary>An installed module as Modules.List reports it (its health is filled in by the caller).</summary>
public static class InstalledStatus
{
    public static ModuleStatus Of(InstalledProcess process)
    {
        lock (process.Gate)
        {
            var status = new ModuleStatus
            {
                Name = process.Descriptor.Name,
                Module = process.Descriptor.Name,
                State = ModuleStatusReport.StateOf(process.State),
                StateDetail = $"installed from {(process.OwnerUid.Length > 0 ? process.OwnerUid : "an unknown owner")}, run by the supervisor",
                Restarts = (uint)process.Restarts,
                FailureReason = process.FailureReason,
                ProcessId = process.Process?.Id ?? 0,
                BuildId = process.BuildId,
            };
            status.Instances.Add(process.Descriptor.Name);
            status.Dependencies.AddRange(process.Descriptor.DependsOn);
            status.Uses.AddRange(process.Descriptor.Uses);
            if (status.ProcessId != 0)
            {
                status.Endpoints.Add(new Protos.Modules.ModuleEndpoint { Name = "grpc", Url = process.GrpcUrl });
                status.Endpoints.Add(new Protos.Modules.ModuleEndpoint { Name = "http", Url = process.HttpUrl });
            }
            if (process.StartedAt is { } started && status.ProcessId != 0)
                status.StartedAt = Timestamp.FromDateTimeOffset(started);
            if (process.LastExitCode is { } code)
                status.LastExitCode = code;
            if (process.LastExitAt is { } exited)
                status.LastExitAt = Timestamp.FromDateTimeOffset(exited);
            return status;
        }
    }
}
