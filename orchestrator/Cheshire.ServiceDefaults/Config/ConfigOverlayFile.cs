using System.Text.Json;

namespace Cheshire.ServiceDefaults.Config;

/// <summary>
/// The file keeping a module's dynamic configuration: <c>DATADIR/config/NAME.json</c>, one flat JSON object of
/// configuration keys and values (<c>{ "Styx:ResolveSeconds": "5" }</c>), NAME the module's resource name ("dht", or
/// "dht-1" for an instance). Written whole into a temporary file and renamed over the old one, so a reader (the
/// module's file watcher, the supervisor) sees the old or the new file, never half of one.
/// </summary>
public sealed class ConfigOverlayFile(string path)
{
    public const string FolderName = "config";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string Path { get; } = path;

    public static string PathFor(string dataDirectory, string resourceName) =>
        System.IO.Path.Combine(dataDirectory, FolderName, resourceName + ".json");

    /// <summary>The saved values, keys compared as configuration compares them (ignoring case); none when there is no file.</summary>
    public SortedDictionary<string, string> Read()
    {
        var values = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!File.Exists(Path))
            return values;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{Path} is not a JSON object of configuration keys and values.");
            Flatten(document.RootElement, "", values);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{Path} is not a JSON object of configuration keys and values: {e.Message}", e);
        }
        return values;
    }

    public void Write(IReadOnlyDictionary<string, string> values)
    {
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(directory);
        // A dot name: the configuration's file provider ignores it, so only the rename is seen as a change.
        var temporary = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                JsonSerializer.Serialize(stream, values.OrderBy(v => v.Key, StringComparer.OrdinalIgnoreCase)
                    .ToDictionary(v => v.Key, v => v.Value), Indented);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, Path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>As the JSON configuration provider reads it: nested objects and arrays become key:child, values text.</summary>
    private static void Flatten(JsonElement element, string prefix, IDictionary<string, string> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                    Flatten(property.Value, prefix.Length == 0 ? property.Name : $"{prefix}:{property.Name}", values);
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                    Flatten(item, $"{prefix}:{index++}", values);
                break;
            case JsonValueKind.Null:
                values[prefix] = "";
                break;
            case JsonValueKind.String:
                values[prefix] = element.GetString()!;
                break;
            default:
                values[prefix] = element.GetRawText();
                break;
        }
    }
}
