using System.Security.Cryptography;
using System.Text;
using Cheshire.Mainline.Storage;
using Cheshire.Protos.Mainline;
using Google.Protobuf;
using NSec.Cryptography;

namespace Cheshire.MainlineDht.Tests.Interop;

/// <summary>
/// Our mainline-dht process and real peers on 127.0.0.1, both directions: the peers find our node, read peers
/// announced and BEP 44 items stored through ours; ours reads what a peer stored after that peer is gone.
/// </summary>
public abstract class InteropTests
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract Task<PeerProcess> StartPeerAsync(CancellationToken ct);

    /// <summary>True when the peer's "nodes" reply shows it knows a node (libtorrent: a count; bittorrent-dht: a list).</summary>
    private static async Task<bool> KnowsAsync(PeerProcess peer, string endPoint)
    {
        var nodes = (await peer.SendAsync(new { cmd = "nodes" }, Ct))["nodes"]!;
        return nodes is System.Text.Json.Nodes.JsonArray list ? list.Any(n => n!.GetValue<string>() == endPoint) : nodes.GetValue<int>() > 0;
    }

    private static async Task Join(MainlineService ours, PeerProcess peer)
    {
        await peer.SendAsync(new { cmd = "add_node", host = "127.0.0.1", port = ours.UdpPort }, Ct);
        await ours.WaitForNodeAsync(peer.EndPoint, TimeSpan.FromSeconds(20), Ct);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await KnowsAsync(peer, ours.EndPoint))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{peer.Kind} never added our node {ours.EndPoint}\n{peer.Log}");
            await Task.Delay(300, Ct);
        }
    }

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);

    [Fact]
    public async Task Peers_find_our_node_and_read_what_ours_announced_and_stored()
    {
        await using var ours = await MainlineService.StartAsync(Ct);
        await using var first = await StartPeerAsync(Ct);
        await using var second = await StartPeerAsync(Ct);
        await Join(ours, first);
        await Join(ours, second);
        await second.SendAsync(new { cmd = "add_node", host = "127.0.0.1", port = first.Port }, Ct);

        var infohash = ByteString.CopyFrom(SHA1.HashData(Encoding.UTF8.GetBytes("interop-announce-" + Guid.NewGuid())));
        var announce = await ours.Client.AnnounceAsync(new AnnounceRequest { Infohash = infohash, Port = 7777 }, cancellationToken: Ct);
        Assert.True(announce.NodesAnnounced >= 1, $"no {first.Kind} node took our announce");

        var text = "stored by cheshire " + Guid.NewGuid().ToString("N")[..8];
        var immutable = await ours.Client.PutItemAsync(new PutItemRequest { Value = ByteString.CopyFromUtf8($"{text.Length}:{text}") }, cancellationToken: Ct);
        Assert.True(immutable.Stored >= 1, $"no {first.Kind} node stored our immutable item: {string.Join("; ", immutable.Errors)}");
        var mutableText = "mutable from cheshire";
        var mutable = await ours.Client.PutItemAsync(new PutItemRequest
        {
            Value = ByteString.CopyFromUtf8($"{mutableText.Length}:{mutableText}"), Mutable = true, Salt = ByteString.CopyFromUtf8("interop"), Seq = 5,
        }, cancellationToken: Ct);
        Assert.True(mutable.Stored >= 1, $"no {first.Kind} node stored our mutable item: {string.Join("; ", mutable.Errors)}");

        var peers = await second.SendAsync(new { cmd = "get_peers", infohash = Hex(infohash), expect = "127.0.0.1:7777" }, Ct);
        Assert.Contains("127.0.0.1:7777", peers["peers"]!.AsArray().Select(p => p!.GetValue<string>()));

        var got = await second.SendAsync(new { cmd = "get_immutable", target = Hex(immutable.Target) }, Ct);
        Assert.True(got["found"]!.GetValue<bool>(), $"{second.Kind} did not find our immutable item: {got}\n{second.Log}");
        Assert.True(got["value"] is System.Text.Json.Nodes.JsonValue v && v.GetValue<string>() == text, $"{second.Kind} read {got}, not \"{text}\"");

        var gotMutable = await second.SendAsync(new { cmd = "get_mutable", public_key = Hex(mutable.PublicKey), salt = "interop" }, Ct);
        Assert.True(gotMutable["found"]!.GetValue<bool>(), $"{second.Kind} did not find our mutable item: {gotMutable}\n{second.Log}");
        Assert.True(gotMutable["value"] is System.Text.Json.Nodes.JsonValue mv && mv.GetValue<string>() == mutableText, $"{second.Kind} read {gotMutable}, not \"{mutableText}\"");
        Assert.Equal(5, gotMutable["seq"]!.GetValue<long>());
    }

    [Fact]
    public async Task Ours_reads_what_a_peer_announced_and_stored_after_the_peer_is_gone()
    {
        await using var ours = await MainlineService.StartAsync(Ct);
        await using var peer = await StartPeerAsync(Ct);
        await Join(ours, peer);

        var text = $"stored by {peer.Kind} {Guid.NewGuid():N}"[..40];
        var put = await peer.SendAsync(new { cmd = "put_immutable", value = text }, Ct);
        Assert.True(put["stored"]!.GetValue<int>() >= 1, $"{peer.Kind} stored its immutable item nowhere: {put}\n{peer.Log}");
        var target = put["target"]!.GetValue<string>();

        using var key = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        var seed = Convert.ToHexStringLower(key.Export(KeyBlobFormat.RawPrivateKey));
        var publicKey = Bep44.PublicKeyOf(key);
        var mutableText = $"mutable from {peer.Kind}";
        var putMutable = await peer.SendAsync(new { cmd = "put_mutable", seed, public_key = Convert.ToHexStringLower(publicKey), salt = "peer-salt", value = mutableText, seq = 3 }, Ct);
        Assert.True(putMutable["stored"]!.GetValue<int>() >= 1, $"{peer.Kind} stored its mutable item nowhere: {putMutable}\n{peer.Log}");

        var infohash = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes("peer-announce-" + Guid.NewGuid())));
        await peer.SendAsync(new { cmd = "announce", infohash, port = peer.Port, save_path = Path.GetTempPath() }, Ct);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await ours.Client.StatsAsync(new StatsRequest(), cancellationToken: Ct)).QueriesReceived.GetValueOrDefault("announce_peer") == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{peer.Kind} never sent us announce_peer\n{peer.Log}");
            await Task.Delay(300, Ct);
        }

        await peer.QuitAsync(Ct);

        var immutable = await ours.Client.GetItemAsync(new GetItemRequest { Target = ByteString.CopyFrom(Convert.FromHexString(target)) }, cancellationToken: Ct);
        Assert.True(immutable.Found);
        Assert.Equal($"{Encoding.UTF8.GetByteCount(text)}:{text}", immutable.Value.ToStringUtf8());

        var mutable = await ours.Client.GetItemAsync(new GetItemRequest { PublicKey = ByteString.CopyFrom(publicKey), Salt = ByteString.CopyFromUtf8("peer-salt") }, cancellationToken: Ct);
        Assert.True(mutable.Found);
        Assert.Equal($"{mutableText.Length}:{mutableText}", mutable.Value.ToStringUtf8());
        Assert.True(Bep44.Verify(publicKey, "peer-salt"u8, mutable.Seq, mutable.Value.Span, mutable.Signature.Span));

        var peers = await ours.Client.GetPeersAsync(new GetPeersRequest { Infohash = ByteString.CopyFrom(Convert.FromHexString(infohash)) }, cancellationToken: Ct);
        Assert.Contains(peer.EndPoint, peers.Peers);
    }
}

public sealed class LibtorrentInteropTests : InteropTests
{
    protected override Task<PeerProcess> StartPeerAsync(CancellationToken ct) => PeerProcess.LibtorrentAsync(ct);
}

public sealed class BittorrentDhtInteropTests : InteropTests
{
    protected override Task<PeerProcess> StartPeerAsync(CancellationToken ct) => PeerProcess.BittorrentDhtAsync(ct);
}
