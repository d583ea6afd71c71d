using System.Text.Json;

namespace Cheshire.StyxProvider.Config;

/// <summary>
/// Reads the exports file, the seed's format: a JSON object from namespace path to server definition,
/// <c>{ "/some/path": { "uid": "52da…", "server": "export", "root": "~" } }</c>. Comments and trailing commas are
/// allowed. Every error names the file, the line and the key. A missing file means no servers.
/// </summary>
public static class ExportsFile
{
    public const string DefaultFileName = "exports.json";

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static IReadOnlyList<ServerDefinition> Load(string path, ServerValidator validator)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ExportsFileException($"{path}: cannot read: {e.Message}", e);
        }
        return Parse(bytes, path, validator);
    }

    public static IReadOnlyList<ServerDefinition> Parse(ReadOnlySpan<byte> json, string fileName, ServerValidator validator)
    {
        var lines = new LineMap(json);
        if (InvalidUtf8At(json) is { } bad)
            throw new ExportsFileException($"{fileName}:{json[..bad].Count((byte)'\n') + 1}: the file is not UTF-8 text (byte {bad}).");
        var reader = new Utf8JsonReader(json, ReaderOptions);
        var servers = new List<ServerDefinition>();
        try
        {
            if (json.Trim(" \t\r\n"u8).IsEmpty || !reader.Read()) return []; // an empty file: no servers
            if (reader.TokenType != JsonTokenType.StartObject)
                throw new ExportsFileException($"{fileName}:{lines.Of(reader)}: the file must be a JSON object mapping paths to servers, e.g. " +
                    "{ \"/music\": { \"server\": \"export\", \"root\": \"~/Music\" } }");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                int line = lines.Of(reader);
                string path = reader.GetString()!;
                if (!seen.Add(path))
                    throw new ExportsFileException($"{fileName}:{line}: \"{path}\" is defined twice.");
                var entry = ReadEntry(ref reader, lines, fileName, path, line);
                servers.Add(validator.Validate(entry, new Location(fileName, path, line, entry.KeyLines)));
            }
        }
        catch (JsonException e)
        {
            throw new ExportsFileException($"{fileName}:{(e.LineNumber ?? 0) + 1}: JSON syntax error: {FirstSentence(e.Message)}", e);
        }
        return servers;
    }

    private static RawEntry ReadEntry(ref Utf8JsonReader reader, LineMap lines, string fileName, string path, int line)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new ExportsFileException($"{fileName}:{line}: \"{path}\": the value must be an object such as {{ \"server\": \"export\", \"root\": \"~\" }}.");
        var entry = new RawEntry();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            int keyLine = lines.Of(reader);
            reader.Read();
            entry.KeyLines[key] = keyLine;
            entry.Values[key] = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString(),
                JsonTokenType.True => true,
                JsonTokenType.False => false,
                JsonTokenType.Number => reader.GetDouble(),
                JsonTokenType.Null => null,
                JsonTokenType.StartArray => ReadStrings(ref reader, fileName, path, key, keyLine),
                _ => throw new ExportsFileException($"{fileName}:{keyLine}: \"{path}\": key \"{key}\": expected a string, true/false or a list of strings."),
            };
        }
        return entry;
    }

    private static List<string> ReadStrings(ref Utf8JsonReader reader, string fileName, string path, string key, int line)
    {
        var list = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
                throw new ExportsFileException($"{fileName}:{line}: \"{path}\": key \"{key}\": expected a list of strings.");
            list.Add(reader.GetString()!);
        }
        return list;
    }

    private static int? InvalidUtf8At(ReadOnlySpan<byte> text)
    {
        var buffer = new char[1024];
        int offset = 0;
        while (offset < text.Length)
        {
            var status = System.Text.Unicode.Utf8.ToUtf16(text[offset..], buffer, out int read, out _, replaceInvalidSequences: false);
            offset += read;
            if (status == System.Buffers.OperationStatus.InvalidData || status == System.Buffers.OperationStatus.NeedMoreData) return offset;
        }
        return null;
    }

    private static string FirstSentence(string message)
    {
        foreach (var tail in new[] { " LineNumber:", " Path:" })
        {
            int end = message.IndexOf(tail, StringComparison.Ordinal);
            if (end > 0) message = message[..end];
        }
        return message;
    }

    /// <summary>Line numbers (1-based) of byte offsets.</summary>
    private readonly ref struct LineMap
    {
        private readonly ReadOnlySpan<byte> _text;

        public LineMap(ReadOnlySpan<byte> text) => _text = text;

        public int Of(in Utf8JsonReader reader) =>
            _text[..(int)Math.Min(reader.TokenStartIndex, _text.Length)].Count((byte)'\n') + 1;
    }
}

/// <summary>An entry as written: each key's value (string, bool, double, list of strings or null) and line.</summary>
public sealed class RawEntry
{
    public Dictionary<string, object?> Values { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, int> KeyLines { get; } = new(StringComparer.Ordinal);
}

/// <summary>Where an entry came from, for error messages: "file:line: "path": key "k": …".</summary>
public sealed record Location(string? FileName, string Path, int Line, IReadOnlyDictionary<string, int>? KeyLines = null)
{
    public static Location Api(string path) => new(null, path, 0);

    public ExportsFileException Error(string? key, string problem)
    {
        int line = key is not null && KeyLines?.TryGetValue(key, out var l) == true ? l : Line;
        var where = FileName is null ? "" : $"{FileName}:{line}: ";
        var what = key is null ? "" : $"key \"{key}\": ";
        return new ExportsFileException($"{where}\"{Path}\": {what}{problem}");
    }
}
