namespace Cheshire.Mainline.Bencode;

/// <summary>Limits and strictness for <see cref="BencodeReader"/>.</summary>
public sealed record BencodeOptions
{
    /// <summary>Lenient about key order (real clients are), strict about everything else. For KRPC datagrams.</summary>
    public static readonly BencodeOptions Default = new();

    /// <summary>Canonical input only: dictionary keys must be strictly ascending.</summary>
    public static readonly BencodeOptions Strict = new() { RequireSortedKeys = true };

    /// <summary>Maximum nesting of lists and dictionaries.</summary>
    public int MaxDepth { get; init; } = 32;

    /// <summary>Maximum number of values (strings, integers, lists, dictionaries) in one input.</summary>
    public int MaxValues { get; init; } = 16_384;

    /// <summary>Maximum input length in bytes.</summary>
    public int MaxInputLength { get; init; } = 65_536;

    /// <summary>Reject dictionaries whose keys are not in ascending byte order. Duplicate keys are always rejected.</summary>
    public bool RequireSortedKeys { get; init; }
}
