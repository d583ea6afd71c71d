namespace Cheshire.Styx.Scripting;

/// <summary>A script could not be loaded: missing file, syntax error (with its line), or its top-level code failed.</summary>
public sealed class ScriptLoadException(string message, int line = 0, int column = 0, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>1-based line of a syntax error; 0 when unknown.</summary>
    public int Line { get; } = line;

    public int Column { get; } = column;
}
