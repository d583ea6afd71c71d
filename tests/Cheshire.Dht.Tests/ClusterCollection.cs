namespace Cheshire.Dht.Tests;

/// <summary>The test classes that share one three-process cluster (run one after another).</summary>
[CollectionDefinition(nameof(ClusterCollection))]
public sealed class ClusterCollection : ICollectionFixture<DhtCluster>;
