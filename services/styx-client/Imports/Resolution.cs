using Cheshire.GlobalNamespace;

namespace Cheshire.StyxClient.Imports;

/// <summary>
/// What a path resolved to. Found: either the first export on the way (<see cref="IsExport"/>; <see cref="MountPath"/>
/// is then a prefix of <see cref="Path"/>, and the rest is inside the remote tree) or the directory the whole path
/// names, with its <see cref="Children"/>. Not found: <see cref="Missing"/> is the first path nobody publishes.
/// </summary>
public sealed record Resolution
{
    /// <summary>The path asked, normalized (labels kept).</summary>
    public required string Path { get; init; }

    public bool Found => Missing is null;

    public string? Missing { get; init; }

    /// <summary>The path of what was found, as walked (labels).</summary>
    public string MountPath { get; init; } = "/";

    /// <summary>The same path in entry names: what its owner published (the aname an export is attached with).</summary>
    public string NamesPath { get; init; } = "/";

    /// <summary>The entry of the last component found; null for "/".</summary>
    public ListedEntry? Entry { get; init; }

    /// <summary>A directory's listing; empty for an export.</summary>
    public IReadOnlyList<ListedEntry> Children { get; init; } = [];

    public bool IsExport => Entry?.Entry.Kind == EntryKind.Export;

    public static Resolution NotFound(string path, string missing) => new() { Path = path, Missing = missing };
}
