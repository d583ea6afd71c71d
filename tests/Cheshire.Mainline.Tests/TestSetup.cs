using System.Runtime.CompilerServices;



namespace Cheshire.Mainline.Tests;

/// <summary>CPU-heavy test classes (networks of nodes, fuzzing) run one at a time so query timeouts stay meaningful.</summary>
[CollectionDefinition(Name)]
public sealed class HeavyCollection
{
    public const string Name = "heavy";
}

internal static class TestSetup
{
    /// <summary>Hundreds of simulated nodes on two cores: do not wait for the thread pool to grow.</summary>
    [ModuleInitializer]
    internal static void Initialize() => ThreadPool.SetMinThreads(Math.Max(16, Environment.ProcessorCount * 4), 16);
}
