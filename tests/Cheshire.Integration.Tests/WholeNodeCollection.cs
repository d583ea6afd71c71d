namespace Cheshire.Integration.Tests;

/// <summary>Whole nodes are heavy on a small machine: their tests run one class at a time.</summary>
[CollectionDefinition(nameof(WholeNodeCollection), DisableParallelization = true)]
public sealed class WholeNodeCollection;
