using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Security.Cryptography;

namespace Cheshire.Mainline.Security;

/// <summary>BEP 42: node ids bound to the node's external IP through CRC32-C.</summary>
public static class SecureNodeId
{
    private static readonly byte[] V4Mask = [0x03, 0x0f, 0x3f, 0xff];
    private static readonly byte[] V6Mask = [0x01, 0x03, 0x07, 0x0f, 0x1f, 0x3f, 0x7f, 0xff];

    /// <summary>Generates an id for <paramref name="address"/> with a random <c>rand</c> byte.</summary>
    public static NodeId Generate(IPAddress address) => Generate(address, RandomNumberGenerator.GetBytes(1)[0]);

    /// <summary>Generates an id for <paramref name="address"/>; the last byte is <paramref name="rand"/>, the middle is random.</summary>
    public static NodeId Generate(IPAddress address, byte rand)
    {
        var crc = Crc(address, rand);
        var id = RandomNumberGenerator.GetBytes(NodeId.Length);
        id[0] = (byte)(crc >> 24);
        id[1] = (byte)(crc >> 16);
        id[2] = (byte)(((crc >> 8) & 0xf8) | (uint)(id[2] & 0x07));
        id[19] = rand;
        return new NodeId(id);
    }

    /// <summary>True when the id's first 21 bits match the CRC of the address (and the id's own last byte).</summary>
    public static bool IsValid(NodeId id, IPAddress address)
    {
        var span = id.Span;
        var crc = Crc(address, span[19]);
        return span[0] == (byte)(crc >> 24) && span[1] == (byte)(crc >> 16) && (span[2] & 0xf8) == ((crc >> 8) & 0xf8);
    }

    /// <summary>Local, private and loopback addresses are exempt from verification (BEP 42).</summary>
    public static bool IsExempt(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address))
            return true;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal;
        var b = address.GetAddressBytes();
        return b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254);
    }

    /// <summary>Verified in the BEP 42 sense: valid for the address, or the address is exempt.</summary>
    public static bool IsVerified(NodeId id, IPAddress address) => IsExempt(address) || IsValid(id, address);

    private static uint Crc(IPAddress address, byte rand)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        var bytes = address.GetAddressBytes();
        var mask = address.AddressFamily == AddressFamily.InterNetwork ? V4Mask : V6Mask;
        Span<byte> masked = stackalloc byte[mask.Length];
        for (var i = 0; i < mask.Length; i++)
            masked[i] = (byte)(bytes[i] & mask[i]);
        masked[0] |= (byte)((rand & 0x07) << 5);
        var crc = 0xffffffffu;
        foreach (var b in masked)
            crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}
