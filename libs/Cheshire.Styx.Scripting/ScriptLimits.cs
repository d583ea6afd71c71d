namespace Cheshire.Styx.Scripting;

/// <summary>
/// What one call into a script may use. Every 9P operation (a stat, a read, a directory listing's readdir…) is one
/// call: the limits start afresh for each, and a call that breaks one is stopped with an error naming the limit.
/// </summary>
public sealed record ScriptLimits
{
    public static ScriptLimits Default { get; } = new();

    /// <summary>Wall-clock time of one call (including the script's own top-level code when it is loaded).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Statements one call may run.</summary>
    public int MaxStatements { get; init; } = 10_000_000;

    /// <summary>Depth of nested JavaScript calls.</summary>
    public int MaxRecursion { get; init; } = 256;

    /// <summary>Bytes one call may allocate (not the heap the script keeps between calls).</summary>
    public long MaxMemory { get; init; } = 64L << 20;

    /// <summary>Time one regular expression match may take.</summary>
    public TimeSpan RegexTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest string a single built-in call may build (repeat, padStart, join, replace…), in UTF-16 units.</summary>
    public int MaxStringLength { get; init; } = 16 << 20;

    /// <summary>Most elements of an array, and most bytes of an ArrayBuffer or typed array.</summary>
    public int MaxArrayLength { get; init; } = 16 << 20;

    /// <summary>How often the script file is checked for changes besides the file system watcher's events.</summary>
    public TimeSpan ReloadPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    internal void Validate()
    {
        if (Timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "must be positive");
        if (MaxStatements <= 0) throw new ArgumentOutOfRangeException(nameof(MaxStatements), MaxStatements, "must be positive");
        if (MaxRecursion <= 0) throw new ArgumentOutOfRangeException(nameof(MaxRecursion), MaxRecursion, "must be positive");
        if (MaxMemory <= 0) throw new ArgumentOutOfRangeException(nameof(MaxMemory), MaxMemory, "must be positive");
        if (RegexTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(RegexTimeout), RegexTimeout, "must be positive");
        if (MaxStringLength <= 0) throw new ArgumentOutOfRangeException(nameof(MaxStringLength), MaxStringLength, "must be positive");
        if (MaxArrayLength <= 0) throw new ArgumentOutOfRangeException(nameof(MaxArrayLength), MaxArrayLength, "must be positive");
        if (ReloadPollInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ReloadPollInterval), ReloadPollInterval, "must be positive");
    }
}
