namespace Cheshire.Deploy.Tests.Containers;

/// <summary>
/// The test classes that use the Docker engine run one after the other: each starts the engine when none answers and
/// stops it again after, which must not happen under another class's containers.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DockerEngineCollection
{
    public const string Name = "Docker engine";
}
