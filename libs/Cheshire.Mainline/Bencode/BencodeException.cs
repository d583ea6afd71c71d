namespace Cheshire.Mainline.Bencode;

/// <summary>The only exception the decoder throws: the input is not acceptable bencode.</summary>
public sealed class BencodeException(string message, int offset) : FormatException($"{message} (at byte {offset})")
{
    /// <summary>The input offset where decoding failed.</summary>
    public int Offset { get; } = offset;
}
