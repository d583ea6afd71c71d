namespace Cheshire.Supervisor.Tests;

/// <summary>
/// A whole node whose supervisor watches and builds a copy of the sources (Cheshire:SourceDir), so tests can edit dht's
/// sources there; builds go to the node's data folder.
/// </summary>
public sealed class ReloadingNodeFixture() : NodeFixture("reloading", ServingNodeFixture.Names)
{
    public const string Module = "dht";

    public SourceCopy Sources { get; } = new();

    protected override IEnumerable<string> Settings => [$"--Cheshire:SourceDir={Sources.Root}", "--Cheshire:Supervisor:Watch=true"];

    protected override ValueTask DisposeMoreAsync()
    {
        Sources.Dispose();
        return ValueTask.CompletedTask;
    }
}
