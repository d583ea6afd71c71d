using System.Globalization;
using System.Text;
using Cheshire.Protos.Modules;
using Google.Protobuf.WellKnownTypes;

namespace Cheshire.StyxProvider.Control.Modules;

/// <summary>The text of the /modules files (formats in Control/README.md).</summary>
public static class ModulesText
{
    /// <summary>One line per module, in dependency order: NAME STATE HEALTH PID RESTARTS.</summary>
    public static string List(ListModulesReply reply)
    {
        var text = new StringBuilder();
        foreach (var module in reply.Modules) text.Append(Line(module));
        return text.ToString();
    }

    /// <summary>NAME STATE HEALTH PID RESTARTS: a module in one line, also the reply of a ctl command.</summary>
    public static string Line(ModuleStatus status) =>
        $"{ControlText.Field(status.Name)} {State(status.State)} {Health(status.Health)} {Pid(status.ProcessId)} {status.Restarts}\n";

    /// <summary>"name value" lines; lists are space-separated names, "-" when empty; one endpoint line per endpoint.</summary>
    public static string Status(ModuleStatus status)
    {
        var text = new StringBuilder();
        Pair(text, "name", status.Name);
        Pair(text, "module", status.Module);
        Pair(text, "state", State(status.State));
        Pair(text, "state_detail", status.StateDetail);
        Pair(text, "health", Health(status.Health));
        Pair(text, "health_detail", status.HealthDetail);
        Pair(text, "explicit_start", status.ExplicitStart ? "yes" : "no");
        Raw(text, "dependencies", Names(status.Dependencies));
        Raw(text, "uses", Names(status.Uses));
        Raw(text, "dependents", Names(status.Dependents));
        Raw(text, "instances", Names(status.Instances));
        foreach (var endpoint in status.Endpoints)
            Raw(text, "endpoint", $"{ControlText.Field(endpoint.Name)} {ControlText.Field(endpoint.Url)}");
        Pair(text, "pid", Pid(status.ProcessId));
        Pair(text, "started", Time(status.StartedAt));
        Pair(text, "restarts", status.Restarts.ToString(CultureInfo.InvariantCulture));
        Pair(text, "last_exit_code", status.HasLastExitCode ? status.LastExitCode.ToString(CultureInfo.InvariantCulture) : "-");
        Pair(text, "last_exit", Time(status.LastExitAt));
        Pair(text, "failure_reason", status.FailureReason);
        Pair(text, "next_restart", Time(status.NextRestartAt));
        return text.ToString();
    }

    public static string State(ModuleState state) => state switch
    {
        ModuleState.Starting => "starting",
        ModuleState.Running => "running",
        ModuleState.Stopped => "stopped",
        ModuleState.Restarting => "restarting",
        ModuleState.Failed => "failed",
        _ => "unknown",
    };

    public static string Health(ModuleHealth health) => health switch
    {
        ModuleHealth.Healthy => "healthy",
        ModuleHealth.Degraded => "degraded",
        ModuleHealth.Unhealthy => "unhealthy",
        _ => "unknown",
    };

    /// <summary>A "name value" line whose value is the rest of the line (escaped, "-" when empty).</summary>
    private static void Pair(StringBuilder text, string name, string value) =>
        text.Append(name).Append(' ').Append(value.Length == 0 ? "-" : ControlText.Escape(Encoding.UTF8.GetBytes(value))).Append('\n');

    /// <summary>A "name value" line whose value is already in the file's escaped form.</summary>
    private static void Raw(StringBuilder text, string name, string value) => text.Append(name).Append(' ').Append(value).Append('\n');

    private static string Names(IEnumerable<string> names) =>
        string.Join(' ', names.Select(ControlText.Field)) is { Length: > 0 } joined ? joined : "-";

    private static string Pid(int pid) => pid == 0 ? "-" : pid.ToString(CultureInfo.InvariantCulture);

    private static string Time(Timestamp? time) =>
        time is null ? "-" : time.ToDateTimeOffset().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
