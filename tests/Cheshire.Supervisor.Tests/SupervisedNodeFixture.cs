using System.Globalization;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// One whole node with a small restart budget, and styx-root given a bad setting (Styx:ResolveSeconds 0) so that it
/// exits at every start.
/// </summary>
public sealed class SupervisedNodeFixture() : NodeFixture("supervisor", HealthyModules)
{
    public const string CrashingModule = "styx-root";
    public const int MaxRestarts = 2;
    public static readonly string[] HealthyModules = ["mainline-dht", "dht", "styx-provider", "styx-client"];
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    protected override IEnumerable<string> Settings =>
    [
        $"--Cheshire:Supervisor:MaxRestarts={MaxRestarts.ToString(CultureInfo.InvariantCulture)}",
        "--Cheshire:Supervisor:WindowSeconds=300",
        "--Cheshire:Supervisor:BackoffMilliseconds=200",
        $"--Cheshire:Config:{CrashingModule}:Styx:ResolveSeconds=0",
    ];
}
