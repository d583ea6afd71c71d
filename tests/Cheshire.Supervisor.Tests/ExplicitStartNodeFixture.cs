namespace Cheshire.Supervisor.Tests;

/// <summary>
/// A whole node whose styx-client and styx-root are explicit-start (Cheshire:ExplicitStart:NAME, as module.json
/// "explicitStart" would make them): the node comes up with mainline-dht, dht and styx-provider only. styx-root depends
/// on styx-client, so ensuring styx-root must start styx-client first.
/// </summary>
public sealed class ExplicitStartNodeFixture() : NodeFixture("explicit-start", StartedModules)
{
    public static readonly string[] ExplicitModules = ["styx-client", "styx-root"];
    public static readonly string[] StartedModules = ["mainline-dht", "dht", "styx-provider"];

    protected override IEnumerable<string> Settings => ExplicitModules.Select(m => $"--Cheshire:ExplicitStart:{m}=true");
}
