using System.Text.Json;
using System.Text.Json.Serialization;
using Cheshire.GlobalNamespace;

namespace Cheshire.StyxProvider.Publishing;

/// <summary>One entry the provider has put: what, with which seq, when, and until when it holds.</summary>
public sealed record PublishedEntry(WantedEntry Wanted, ulong Seq, DateTimeOffset PutAt, DateTimeOffset Expiry);

/// <summary>
/// What the provider has published, kept in a file so that after a restart it still withdraws the servers removed
/// while it was stopped, and its seqs stay above those it used (even if the clock went back). Written atomically.
/// </summary>
public sealed record PublishedState
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>hex of the node key the dht signed the entries with: only that key can replace them.</summary>
    public string SigningKey { get; init; } = "";

    public ulong LastSeq { get; init; }

    public IReadOnlyList<PublishedEntry> Entries { get; init; } = [];

    /// <summary>The state in <paramref name="path"/>; empty when there is none or it cannot be read (the reason in <paramref name="problem"/>).</summary>
    public static PublishedState Load(string path, out string? problem)
    {
        problem = null;
        try
        {
            return JsonSerializer.Deserialize<PublishedState>(File.ReadAllBytes(path), Json) ?? new PublishedState();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new PublishedState();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            problem = e.Message;
            return new PublishedState();
        }
    }

    public void Save(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(this, Json));
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Entries that name a child the way <see cref="PublicationPlan"/> would; anything else in the file is dropped.</summary>
    public IEnumerable<PublishedEntry> ValidEntries() =>
        Entries.Where(e => e?.Wanted is { } w && NamespacePath.IsName(w.Name) && Enum.IsDefined(w.Kind) &&
            w.DirectoryPath is { } d && IsPath(d));

    private static bool IsPath(string path)
    {
        try
        {
            return NamespacePath.Normalize(path) == path;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
