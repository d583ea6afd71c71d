using Cheshire.Protos.Modules;
using Cheshire.Supervisor.Reload;
using Google.Protobuf.WellKnownTypes;
using ProtoReloadResult = Cheshire.Protos.Modules.ReloadResult;
using ProtoTestFailure = Cheshire.Protos.Modules.TestFailure;

namespace Cheshire.Supervisor.Api;

/// <summary>A module's watch switch, build and reloads as the Modules API reports them.</summary>
public static class ModuleReloadReport
{
    public static void Fill(ModuleStatus status, ModuleReloadState state, ModuleBuild? build)
    {
        status.BuildId = build?.Id ?? "";
        lock (state.Gate)
        {
            status.Watch = state.Watch;
            status.ReloadPhase = state.Phase.ToString().ToLowerInvariant();
            status.Reloads = (uint)state.Reloads;
            status.IgnoredChanges = (uint)state.IgnoredChanges;
            if (state.IgnoredChangeAt is { } ignored)
                status.IgnoredChangeAt = Timestamp.FromDateTimeOffset(ignored);
            if (state.Last is { } last)
                status.LastReload = Of(last);
        }
    }

    public static ModuleReload Of(ReloadReport report)
    {
        var reload = new ModuleReload
        {
            Result = report.Result switch
            {
                Reload.ReloadResult.Reloaded => ProtoReloadResult.Reloaded,
                Reload.ReloadResult.BuildFailed => ProtoReloadResult.BuildFailed,
                Reload.ReloadResult.TestsFailed => ProtoReloadResult.TestsFailed,
                Reload.ReloadResult.RestartFailed => ProtoReloadResult.RestartFailed,
                _ => ProtoReloadResult.Unknown,
            },
            Reason = report.Reason,
            BuildId = report.BuildId,
            PreviousBuildId = report.PreviousBuildId,
            StartedAt = Timestamp.FromDateTimeOffset(report.StartedAt),
            FinishedAt = Timestamp.FromDateTimeOffset(report.FinishedAt),
            BuildTime = Duration.FromTimeSpan(report.BuildTime),
            TestTime = Duration.FromTimeSpan(report.TestTime),
            RestartTime = Duration.FromTimeSpan(report.RestartTime),
            Log = report.Log,
        };
        reload.Changed.AddRange(report.Changed);
        reload.Failures.AddRange(report.Failures.Select(Of));
        return reload;
    }

    public static ModuleTestReply Of(string name, string project, string filter, TestOutcome outcome)
    {
        var reply = new ModuleTestReply
        {
            Name = name,
            Passed = outcome.Passed,
            Summary = outcome.Summary,
            Total = outcome.Total,
            BuildTime = Duration.FromTimeSpan(outcome.BuildTime),
            TestTime = Duration.FromTimeSpan(outcome.TestTime),
            Project = project,
            Filter = filter,
        };
        reply.Failures.AddRange(outcome.Failures.Select(Of));
        return reply;
    }

    private static ProtoTestFailure Of(Reload.TestFailure failure) => new() { Name = failure.Name, Message = failure.Message };
}
