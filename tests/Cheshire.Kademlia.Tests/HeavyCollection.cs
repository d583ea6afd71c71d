namespace Cheshire.Kademlia.Tests;

/// <summary>
/// The 10,000-node simulation and the fuzzers saturate both cores; they run alone, after the other classes,
/// so the short request timeouts of the network tests stay meaningful.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeavyCollection
{
    public const string Name = "heavy";
}
