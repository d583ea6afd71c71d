using Microsoft.Extensions.Logging;

namespace Cheshire.ServiceDefaults.Config;

/// <summary>
/// Logging:LogLevel:CATEGORY, which every module takes: the logging filters follow the configuration (through
/// IOptionsMonitor), so a level applies at once.
/// </summary>
public static class LogLevelKeys
{
    public const string Prefix = "Logging:LogLevel";
    public const string Pattern = Prefix + ":CATEGORY";

    private static readonly string Levels = string.Join(", ", Enum.GetNames<LogLevel>());

    public static bool Matches(string key) => key.StartsWith(Prefix + ":", StringComparison.OrdinalIgnoreCase);

    /// <summary>The key as logging spells it; null when it names no category.</summary>
    public static string? Canonical(string key)
    {
        var category = key[(Prefix.Length + 1)..];
        return category.Length == 0 || category.Contains(':', StringComparison.Ordinal) ? null : $"{Prefix}:{category}";
    }

    public static ConfigRefusedException NoCategory(string key) =>
        new($"'{key}' names no logging category: write {Pattern}, e.g. {Prefix}:Default or {Prefix}:Cheshire.StyxRoot.");

    /// <summary>The level's own name; refused when it is not one.</summary>
    public static string Level(string key, string value)
    {
        if (Enum.GetNames<LogLevel>().FirstOrDefault(n => string.Equals(n, value.Trim(), StringComparison.OrdinalIgnoreCase)) is { } name)
            return name;
        throw new ConfigRefusedException($"{key} takes a log level ({Levels}): '{value}' is not one.");
    }
}
