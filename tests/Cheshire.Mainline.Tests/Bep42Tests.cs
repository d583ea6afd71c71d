using System.Net;
using Cheshire.Mainline.Security;

namespace Cheshire.Mainline.Tests;

/// <summary>The example table of BEP 42.</summary>
public class Bep42Tests
{
    [Theory]
    [InlineData("124.31.75.21", 1, "5fbfbf", "01")]
    [InlineData("21.75.31.124", 86, "5a3ce9", "56")]
    [InlineData("65.23.51.170", 22, "a5d432", "16")]
    [InlineData("84.124.73.14", 65, "1b0321", "41")]
    [InlineData("43.213.53.83", 90, "e56f6c", "5a")]
    public void GeneratedIdsMatchTheBepTable(string ip, int rand, string prefix, string last)
    {
        var id = SecureNodeId.Generate(IPAddress.Parse(ip), (byte)rand);
        var hex = id.ToString();
        Assert.Equal(prefix[..4], hex[..4]);
        Assert.Equal(Convert.FromHexString(prefix)[2] & 0xf8, id.Span[2] & 0xf8);
        Assert.Equal(last, hex[38..]);
        Assert.True(SecureNodeId.IsValid(id, IPAddress.Parse(ip)));
    }

    [Theory]
    [InlineData("124.31.75.21", "5fbfbff10c5d6a4ec8a88e4c6ab4c28b95eee401")]
    [InlineData("21.75.31.124", "5a3ce9c14e7a08645677bbd1cfe7d8f956d53256")]
    [InlineData("65.23.51.170", "a5d43220bc8f112a3d426c84764f8c2a1150e616")]
    [InlineData("84.124.73.14", "1b0321dd1bb1fe518101ceef99462b947a01ff41")]
    [InlineData("43.213.53.83", "e56f6cbf5b7c4be0237986d5243b87aa6d51305a")]
    public void TheBepExampleIdsVerify(string ip, string id)
    {
        Assert.True(SecureNodeId.IsValid(NodeId.Parse(id), IPAddress.Parse(ip)));
        Assert.False(SecureNodeId.IsValid(NodeId.Parse(id), IPAddress.Parse("8.8.8.8")));
    }

    [Fact]
    public void Ipv6IdsVerifyAndLocalAddressesAreExempt()
    {
        var address = IPAddress.Parse("2001:db8:1234::5");
        var id = SecureNodeId.Generate(address);
        Assert.True(SecureNodeId.IsValid(id, address));
        Assert.False(SecureNodeId.IsValid(NodeId.Random(), address) && SecureNodeId.IsValid(NodeId.Random(), address));
        foreach (var local in new[] { "10.1.2.3", "172.16.5.4", "192.168.1.1", "169.254.9.9", "127.0.0.1", "::1", "fd00::1", "fe80::1" })
            Assert.True(SecureNodeId.IsExempt(IPAddress.Parse(local)), local);
        Assert.False(SecureNodeId.IsExempt(IPAddress.Parse("8.8.8.8")));
        Assert.False(SecureNodeId.IsVerified(NodeId.Parse("0000000000000000000000000000000000000000"), IPAddress.Parse("8.8.8.8")));
    }
}
