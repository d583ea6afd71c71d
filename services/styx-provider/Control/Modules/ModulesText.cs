using System.Globalization;
using System.Text;
using Cheshire.Protos.Modules;

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

    /// <summary>"name value" lines; lists are space-separated names, "-" when empty; one line per endpoint and per config value.</summary>
    public static string Status(ModuleStatus status)
    {
        var text = new PairLines()
            .Add("name", status.Name)
            .Add("module", status.Module)
            .Add("state", State(status.State))
            .Add("state_detail", status.StateDetail)
            .Add("health", Health(status.Health))
            .Add("health_detail", status.HealthDetail)
            .YesNo("explicit_start", status.ExplicitStart)
            .Names("dependencies", status.Dependencies)
            .Names("uses", status.Uses)
            .Names("dependents", status.Dependents)
            .Names("instances", status.Instances);
        foreach (var endpoint in status.Endpoints)
            text.Raw("endpoint", $"{ControlText.Field(endpoint.Name)} {ControlText.Field(endpoint.Url)}");
        text.Add("pid", Pid(status.ProcessId))
            .Time("started", status.StartedAt)
            .Number("restarts", status.Restarts)
            .Add("last_exit_code", status.HasLastExitCode ? status.LastExitCode.ToString(CultureInfo.InvariantCulture) : "-")
            .Time("last_exit", status.LastExitAt)
            .Add("failure_reason", status.FailureReason)
            .Time("next_restart", status.NextRestartAt);
        foreach (var value in status.Config)
            text.Raw("config", $"{ControlText.Field(value.Key)} {ControlText.Escape(Encoding.UTF8.GetBytes(value.Value))}");
        text.Add("config_file", status.ConfigFile);
        ReloadText.Status(text, status);
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

    public static string Pid(int pid) => pid == 0 ? "-" : pid.ToString(CultureInfo.InvariantCulture);
}
