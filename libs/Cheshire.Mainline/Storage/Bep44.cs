using System.Buffers;
using Cheshire.Mainline.Bencode;
using NSec.Cryptography;

namespace Cheshire.Mainline.Storage;

/// <summary>BEP 44 rules: targets, the exact signed buffer, signing and verification (Ed25519 via NSec).</summary>
public static class Bep44
{
    public const int MaxValueLength = 1000;
    public const int MaxSaltLength = 64;
    public const int PublicKeyLength = 32;
    public const int SignatureLength = 64;
    private static readonly SignatureAlgorithm Ed25519 = SignatureAlgorithm.Ed25519;

    /// <summary>Immutable target: SHA1 of the bencoded value.</summary>
    public static NodeId ImmutableTarget(ReadOnlySpan<byte> encodedValue) => NodeId.Sha1(encodedValue);

    /// <summary>Mutable target: SHA1(public key + salt).</summary>
    public static NodeId MutableTarget(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> salt)
    {
        var buffer = new byte[publicKey.Length + salt.Length];
        publicKey.CopyTo(buffer);
        salt.CopyTo(buffer.AsSpan(publicKey.Length));
        return NodeId.Sha1(buffer);
    }

    /// <summary>The signed buffer: <c>4:salt&lt;n&gt;:&lt;salt&gt;</c> (only with a salt), <c>3:seqi&lt;seq&gt;e1:v</c>, then the bencoded value.</summary>
    public static byte[] SignatureBuffer(ReadOnlySpan<byte> salt, long seq, ReadOnlySpan<byte> encodedValue)
    {
        var writer = new ArrayBufferWriter<byte>(encodedValue.Length + salt.Length + 32);
        if (!salt.IsEmpty)
        {
            writer.Write("4:salt"u8);
            BencodeWriter.WriteString(salt, writer);
        }
        writer.Write("3:seqi"u8);
        BencodeWriter.WriteNumber(seq, writer);
        writer.Write("e1:v"u8);
        writer.Write(encodedValue);
        return writer.WrittenSpan.ToArray();
    }

    public static byte[] Sign(Key key, ReadOnlySpan<byte> salt, long seq, ReadOnlySpan<byte> encodedValue) =>
        Ed25519.Sign(key, SignatureBuffer(salt, seq, encodedValue));

    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> salt, long seq, ReadOnlySpan<byte> encodedValue, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeyLength || signature.Length != SignatureLength)
            return false;
        if (!PublicKey.TryImport(Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out var key) || key is null)
            return false;
        return Ed25519.Verify(key, SignatureBuffer(salt, seq, encodedValue), signature);
    }

    /// <summary>Creates an exportable Ed25519 key for mutable items.</summary>
    public static Key CreateKey() => Key.Create(Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });

    public static byte[] PublicKeyOf(Key key) => key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
}
