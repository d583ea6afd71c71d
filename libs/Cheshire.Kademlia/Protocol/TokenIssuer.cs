using System.Net;
using System.Security.Cryptography;

namespace Cheshire.Kademlia.Protocol;

/// <summary>
/// Write tokens (as in BEP 5): a node answering find_node/get hands out HMAC(secret, requester IP);
/// put and listen must present it, so a spoofed source address cannot store or subscribe.
/// The secret rotates; the previous one stays valid for one period.
/// </summary>
internal sealed class TokenIssuer(TimeProvider time, TimeSpan rotation)
{
    public const int TokenLength = 8;
    private readonly Lock _lock = new();
    private byte[] _current = RandomNumberGenerator.GetBytes(32);
    private byte[] _previous = RandomNumberGenerator.GetBytes(32);
    private DateTimeOffset _rotated = time.GetUtcNow();

    public byte[] Issue(IPAddress address) => Compute(Secrets().Current, address);

    public bool Validate(IPAddress address, ReadOnlySpan<byte> token)
    {
        if (token.Length != TokenLength) return false;
        var (current, previous) = Secrets();
        return CryptographicOperations.FixedTimeEquals(Compute(current, address), token)
            || CryptographicOperations.FixedTimeEquals(Compute(previous, address), token);
    }

    private (byte[] Current, byte[] Previous) Secrets()
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (now - _rotated >= rotation)
            {
                _previous = _current;
                _current = RandomNumberGenerator.GetBytes(32);
                _rotated = now;
            }
            return (_current, _previous);
        }
    }

    private static byte[] Compute(byte[] secret, IPAddress address)
    {
        Span<byte> ip = stackalloc byte[16];
        address.TryWriteBytes(ip, out var written);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(secret, ip[..written], mac);
        return mac[..TokenLength].ToArray();
    }
}
