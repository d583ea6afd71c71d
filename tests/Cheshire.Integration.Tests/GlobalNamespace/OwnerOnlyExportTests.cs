using System.Net.Sockets;
using Cheshire.Identity;
using Cheshire.Link;
using Cheshire.Styx.Client;
using Cheshire.Styx.Protocol;
using Cheshire.Testing;

namespace Cheshire.Integration.Tests.GlobalNamespace;

/// <summary>
/// An export without "allow" is its owner's alone: another node of the same user (same user key) lists and reads it
/// through its styx-root; a node of another user sees neither its name nor its path, and an attach it forces over a
/// link of its own to the exporting node is refused saying why.
/// </summary>
[Collection(nameof(WholeNodeCollection))]
public sealed class OwnerOnlyExportTests(OwnerOnlyNodes nodes) : IClassFixture<OwnerOnlyNodes>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnotherNodeOfTheOwnerListsAndReadsIt()
    {
        await using var fs = await nodes.RootC.MountAsync(Ct);
        Assert.Equal(["music", "private"], (await fs.ListAsync("alice", Ct)).Order(StringComparer.Ordinal));
        Assert.Equal(["secret.txt"], await fs.ListAsync("alice/private", Ct));
        Assert.Equal(OwnerOnlyNodes.SecretText, await fs.ReadTextAsync("alice/private/secret.txt", Ct));
    }

    [Fact]
    public async Task ANodeOfAnotherUserDoesNotSeeItInTheParentNorWalksToIt()
    {
        await using var fs = await nodes.RootB.MountAsync(Ct);
        // B resolves A's public export (so B does look in the DHT), and /alice lists it but not the owner-only one.
        Assert.Equal(OwnerOnlyNodes.SongText, await Eventually.SucceedsAsync(
            () => fs.ReadTextAsync("alice/music/song.txt", Ct), OwnerOnlyNodes.Bound, "B reads /alice/music/song.txt", Ct));
        Assert.Contains("alice", await fs.ListAsync("", Ct));
        Assert.Equal(["music"], await fs.ListAsync("alice", Ct));

        foreach (var path in new[] { "alice/private", "alice/private/secret.txt" })
        {
            var e = await Assert.ThrowsAsync<StyxErrorException>(() => fs.WalkAsync(path, Ct));
            Assert.True(e.Errno == Errno.ENOENT, $"walking {path} on B: {e.Errno} ({e.Message}), not ENOENT\n{nodes.Describe()}");
        }
    }

    [Fact]
    public async Task AnAttachForcedOverALinkByAnotherUserIsRefusedSayingWhy()
    {
        using var userB = UserIdentityStore.Load(Path.Combine(nodes.B.Data, UserIdentityStore.DefaultFileName));
        using var nodeB = NodeIdentityStore.Load(Path.Combine(nodes.B.Data, NodeIdentityStore.KeyFileName));
        using var userC = UserIdentityStore.Load(Path.Combine(nodes.C.Data, UserIdentityStore.DefaultFileName));
        using var nodeC = NodeIdentityStore.Load(Path.Combine(nodes.C.Data, NodeIdentityStore.KeyFileName));

        // 9P2000.u: its Rerror carries the reason (9P2000.L's Rlerror only the errno).
        var refused = await Assert.ThrowsAsync<StyxErrorException>(async () =>
        {
            await using var fs = await AttachOverLinkAsync(nodeB, userB, "/alice/private");
        });
        Assert.Equal(Errno.EACCES, refused.Errno);
        Assert.Contains("refused", refused.Message, StringComparison.Ordinal);
        Assert.Contains(userB.Uid, refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("/alice/private", refused.Message, StringComparison.Ordinal);
        Assert.Contains("owner", refused.Message, StringComparison.Ordinal);

        // The same forced attach with C's credentials (the owner's user key) is let in: the uid decides.
        await using var owner = await AttachOverLinkAsync(nodeC, userC, "/alice/private");
        Assert.Equal(OwnerOnlyNodes.SecretText, await owner.ReadTextAsync("secret.txt", Ct));
    }

    /// <summary>Dials A's link port as the node of <paramref name="node"/> acting for <paramref name="user"/> and attaches <paramref name="export"/>.</summary>
    private async Task<StyxFs> AttachOverLinkAsync(NodeIdentity node, UserIdentity user, string export)
    {
        using var nodeA = NodeIdentityStore.Load(Path.Combine(nodes.A.Data, NodeIdentityStore.KeyFileName));
        var credentials = LinkCredentials.Create(node, user);
        var endpoint = System.Net.IPEndPoint.Parse(nodes.A.LinkAddress);
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(endpoint, Ct);
            var link = await LinkStream.ConnectAsync(tcp.GetStream(), credentials, nodeA.NodeId, cancellationToken: Ct);
            return await StyxFs.MountAsync(link.Stream, uname: user.Uid, aname: export, version: DialectNames.Unix, ct: Ct);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }
}
