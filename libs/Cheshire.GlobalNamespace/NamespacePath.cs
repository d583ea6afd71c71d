using System.Text;

namespace Cheshire.GlobalNamespace;

/// <summary>
/// Paths and names of the global namespace. A path is absolute and taken literally: it starts with '/', repeated
/// slashes and a trailing slash are dropped ("/a//b/" is "/a/b"), the root is "/", and "." and ".." are refused
/// rather than resolved. A name is one component: 1 to 255 UTF-8 bytes, no '/', no control character, not "." or
/// "..", and not ending like a disambiguated label ("@" and 8 or 40 hex digits, see <see cref="EntrySelection"/>),
/// so that no published name can pose as another owner's label.
/// </summary>
public static class NamespacePath
{
    public const string Root = "/";
    public const int MaxNameBytes = 255;
    public const int MaxPathBytes = 4096;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The normalized form of <paramref name="path"/>; ArgumentException saying what is wrong otherwise.</summary>
    public static string Normalize(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!path.StartsWith('/'))
            throw new ArgumentException($"A namespace path is absolute: it starts with '/'; '{path}' does not.", nameof(path));
        var components = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        foreach (var component in components)
        {
            if (component is "." or "..")
                throw new ArgumentException($"'{path}': '{component}' is not allowed in a namespace path (paths are taken literally, not resolved).", nameof(path));
            if (NameProblem(component) is { } problem)
                throw new ArgumentException($"'{path}': {problem}", nameof(path));
        }
        var normalized = Root + string.Join('/', components);
        if (Encoding.UTF8.GetByteCount(normalized) > MaxPathBytes)
            throw new ArgumentException($"A namespace path is at most {MaxPathBytes} UTF-8 bytes; this one is longer.", nameof(path));
        return normalized;
    }

    /// <summary>The components of a path ("/" has none).</summary>
    public static string[] Components(string path) => Normalize(path).Split('/', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Whether <paramref name="name"/> is a valid single component.</summary>
    public static bool IsName(string? name) => NameProblem(name) is null;

    /// <summary>Why <paramref name="name"/> is not a valid component, or null when it is.</summary>
    public static string? NameProblem(string? name)
    {
        if (string.IsNullOrEmpty(name))
            return "a name is empty.";
        if (name is "." or "..")
            return $"'{name}' is not a name.";
        if (name.Contains('/'))
            return $"the name '{Printable(name)}' contains '/'.";
        if (name.Any(char.IsControl))
            return $"the name '{Printable(name)}' contains a control character.";
        int bytes;
        try
        {
            bytes = StrictUtf8.GetByteCount(name);
        }
        catch (EncoderFallbackException)
        {
            return $"the name '{Printable(name)}' is not valid Unicode.";
        }
        if (bytes > MaxNameBytes)
            return $"a name is at most {MaxNameBytes} UTF-8 bytes; '{Printable(name)[..Math.Min(name.Length, 40)]}…' is {bytes}.";
        if (EntrySelection.LooksLikeLabel(name))
            return $"the name '{name}' ends like a disambiguated label ('@' and 8 or 40 hex digits), which names another owner's entry.";
        return null;
    }

    /// <summary>Text with control characters and lone surrogates escaped, for error messages.</summary>
    internal static string Printable(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
