using Microsoft.Extensions.Configuration;
using Cheshire.Protos.Importer;
using Cheshire.Supervisor.Install;
using Grpc.Core;

namespace Cheshire.Supervisor.Tests;

/// <summary>Whose packages are installed: the owner of the import serving the path, checked against the trusted uids.</summary>
public sealed class InstallTrustTests
{
    private const string NodeUid = "1111111111111111111111111111111111111111";
    private const string FriendUid = "2222222222222222222222222222222222222222";
    private const string StrangerUid = "3333333333333333333333333333333333333333";

    private static InstallSettings Settings(string trusted) =>
        InstallSettings.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [InstallSettings.TrustedUidsKey] = trusted }).Build(), "/data", "/data/user.key");

    [Fact]
    public void AnImportedPathIsOwnedByItsImportsOwnerAndAPathUnderNoImportByTheNode()
    {
        Import[] imports =
        [
            new() { Path = "/alice", OwnerUid = FriendUid },
            new() { Path = "/alice/modules", OwnerUid = StrangerUid },
            new() { Path = "/bob", OwnerUid = FriendUid },
        ];
        Assert.Equal(StrangerUid, PackageOwner.ImportOf(imports, "/alice/modules/hello")?.OwnerUid);
        Assert.Equal(FriendUid, PackageOwner.ImportOf(imports, "/alice/other")?.OwnerUid);
        Assert.Null(PackageOwner.ImportOf(imports, "/alicexyz/hello"));
        Assert.Null(PackageOwner.ImportOf(imports, "/pkg/hello"));
    }

    [Fact]
    public void AnUntrustedOwnerIsRefusedNamingTheOwnerAndTheSetting()
    {
        var policy = new TrustPolicy(Settings($"{FriendUid}, {FriendUid.ToUpperInvariant()}"), NodeUid);
        policy.Check("/pkg/hello", NodeUid);
        policy.Check("/friend/hello", FriendUid);

        var error = Assert.Throws<InstallException>(() => policy.Check("/stranger/hello", StrangerUid));

        Assert.Equal(StatusCode.PermissionDenied, error.Code);
        Assert.Equal($"/stranger/hello is owned by {StrangerUid}, whom this node does not trust: only the node's user {NodeUid} and the uids in " +
            $"Cheshire:Supervisor:TrustedUids ({FriendUid}) may install modules.", error.Message);
    }

    [Fact]
    public void ABadTrustedUidStopsTheNodeNamingTheKey()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Settings("abc"));
        Assert.Equal("Cheshire:Supervisor:TrustedUids: 'abc' is not a user id (40 hex digits, SHA1 of the user's public key).", error.Message);
    }
}
