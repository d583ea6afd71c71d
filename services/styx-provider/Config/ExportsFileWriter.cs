using System.Text.Json;

namespace Cheshire.StyxProvider.Config;

/// <summary>Writes the exports file atomically: a temporary file in the same folder, flushed to disk, renamed over the old one.</summary>
public static class ExportsFileWriter
{
    public static void Save(string path, IEnumerable<ServerDefinition> servers)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
                    Write(writer, servers);
                stream.Write("\n"u8);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static void Write(Utf8JsonWriter writer, IEnumerable<ServerDefinition> servers)
    {
        writer.WriteStartObject();
        foreach (var s in servers.OrderBy(s => s.Path, StringComparer.Ordinal))
        {
            writer.WriteStartObject(s.Path);
            writer.WriteString("server", s.Server);
            if (s.UidWritten) writer.WriteString("uid", s.Uid);
            WriteIfSet(writer, "root", s.Root);
            if (s.ReadOnly) writer.WriteBoolean("readOnly", true);
            WriteIfSet(writer, "address", s.Address);
            WriteIfSet(writer, "aname", s.Aname);
            WriteIfSet(writer, "uname", s.Uname);
            WriteIfSet(writer, "script", s.Script);
            if (s.Allow.Count > 0)
            {
                writer.WriteStartArray("allow");
                foreach (var uid in s.Allow) writer.WriteStringValue(uid);
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    private static void WriteIfSet(Utf8JsonWriter writer, string key, string? value)
    {
        if (value is not null) writer.WriteString(key, value);
    }
}
