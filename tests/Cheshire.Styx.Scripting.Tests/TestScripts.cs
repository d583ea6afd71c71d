namespace Cheshire.Styx.Scripting.Tests;

internal static class TestScripts
{
    /// <summary>
    /// A script serving a flat directory of <paramref name="files"/> (stat without length unless given), whose
    /// read(handle, offset, count) runs <paramref name="readBody"/>.
    /// </summary>
    public static string Flat(string[] files, string readBody, int? length = null) => $$"""
        const files = [{{string.Join(", ", files.Select(f => $"\"{f}\""))}}];
        function stat(path) {
          if (path === "/") return { type: "dir" };
          if (files.includes(path.slice(1))) return { type: "file"{{(length is null ? "" : $", length: {length}")}} };
          return null;
        }
        function readdir(path) { return files; }
        function read(handle, offset, count) { {{readBody}} }
        """;
}
