using Cheshire.Protos.Modules;

namespace Cheshire.StyxProvider.Control.Modules;

/// <summary>The watch, reload and test lines of /modules (formats in Control/README.md).</summary>
internal static class ReloadText
{
    /// <summary>The status lines about restart on source change: watch, the build running, the last reload.</summary>
    public static void Status(PairLines text, ModuleStatus status)
    {
        text.YesNo("watch", status.Watch)
            .Add("build_id", status.BuildId)
            .Add("reload_phase", status.ReloadPhase)
            .Number("reloads", status.Reloads)
            .Number("ignored_changes", status.IgnoredChanges)
            .Time("ignored_change_at", status.IgnoredChangeAt);
        if (status.LastReload is not { } reload)
        {
            text.Raw("last_reload", "-");
            return;
        }
        text.Raw("last_reload", Result(reload.Result))
            .Add("last_reload_reason", reload.Reason)
            .Add("last_reload_build_id", reload.BuildId)
            .Add("last_reload_previous_build_id", reload.PreviousBuildId)
            .Time("last_reload_started", reload.StartedAt)
            .Time("last_reload_finished", reload.FinishedAt)
            .Seconds("last_reload_build_time", reload.BuildTime)
            .Seconds("last_reload_test_time", reload.TestTime)
            .Seconds("last_reload_restart_time", reload.RestartTime)
            .Names("last_reload_changed", reload.Changed);
        Failures(text, "last_reload_failure", reload.Failures);
        text.Add("last_reload_log", reload.Log);
    }

    /// <summary>The result of Modules.Test: the ctl reply of "test", and the content of NAME/test.</summary>
    public static string Test(ModuleTestReply reply)
    {
        var text = new PairLines()
            .Add("name", reply.Name)
            .YesNo("passed", reply.Passed)
            .Add("summary", reply.Summary)
            .Number("total", reply.Total)
            .Add("project", reply.Project)
            .Add("filter", reply.Filter)
            .Seconds("build_time", reply.BuildTime)
            .Seconds("test_time", reply.TestTime);
        Failures(text, "failure", reply.Failures);
        return text.ToString();
    }

    /// <summary>One line per failed test: its name (a field), then its message (the rest of the line).</summary>
    private static void Failures(PairLines text, string name, IEnumerable<TestFailure> failures)
    {
        foreach (var failure in failures)
            text.Raw(name, $"{ControlText.Field(failure.Name)} {ControlText.Escape(System.Text.Encoding.UTF8.GetBytes(failure.Message))}");
    }

    private static string Result(ReloadResult result) => result switch
    {
        ReloadResult.Reloaded => "reloaded",
        ReloadResult.BuildFailed => "build_failed",
        ReloadResult.TestsFailed => "tests_failed",
        ReloadResult.RestartFailed => "restart_failed",
        _ => "unknown",
    };
}
