namespace Cheshire.Styx.FileSystem.Local;

/// <summary>How a local directory is exported.</summary>
public sealed record LocalOptions
{
    /// <summary>Every modifying operation (and every open for writing) fails with EROFS.</summary>
    public bool ReadOnly { get; init; }
}
