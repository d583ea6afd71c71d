using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cheshire.Testing;

namespace Cheshire.Integration.Tests.GlobalNamespace;

/// <summary>
/// What the wire shows of a remote read: node B reads node A's file through its styx-root while dumpcap captures A's
/// link port on lo. The capture holds the link's bytes but nothing of the file — not its marker, not any 2 KiB block of
/// its content (so no 4 KiB run anywhere in it), not its name. The control: the same read through A's own styx-root
/// (plain 9P over TCP), captured the same way, shows the marker and the name.
/// </summary>
[Collection(nameof(WholeNodeCollection))]
public sealed class LinkCaptureTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private const int FileSize = 64 * 1024;
    private const int Block = 2048;

    [Fact]
    public async Task TheLinkCarriesNothingOfTheFileInTheClear()
    {
        var ct = TestContext.Current.CancellationToken;
        var dumpcap = LoopbackCapture.Dumpcap;
        if (dumpcap is null)
            Assert.Skip($"dumpcap is not installed (Debian package tshark; build/install-prerequisites.sh installs it, or set {LoopbackCapture.DumpcapVariable})");

        var marker = Encoding.ASCII.GetBytes("CHESHIRE-PLAINTEXT-MARKER-" + Guid.NewGuid().ToString("N"));
        var name = "secret-" + Guid.NewGuid().ToString("N") + ".bin";
        var content = RandomNumberGenerator.GetBytes(FileSize);
        foreach (var at in new[] { 0, FileSize / 2, FileSize - marker.Length }) marker.CopyTo(content, at);

        await using var network = new ModuleNetwork("link-capture");
        var music = network.NewFolder("music");
        await File.WriteAllBytesAsync(Path.Combine(music, name), content, ct);
        var (nodeA, rootA) = await network.StartExportingNodeWithRootAsync(
            $$"""{ "/alice/music": { "server": "export", "root": {{JsonSerializer.Serialize(music)}}, "allow": ["*"] } }""", Bound, ct);
        var (_, rootB) = await network.StartImportingNodeWithRootAsync(network.NewFolder("node"), nodeA.DhtEndpoint, Bound, ct);

        // Everything on A's link port from before B first resolves the export: handshakes, attach, walks, reads.
        var link = await CaptureAsync(dumpcap, System.Net.IPEndPoint.Parse(nodeA.LinkAddress).Port, rootB, name, content, network, ct);
        var plain = await CaptureAsync(dumpcap, rootA.Port, rootA, name, content, network, ct);

        TestContext.Current.TestOutputHelper?.WriteLine($"captured {link.Length} bytes on the link, {plain.Length} on A's styx-root");
        Assert.True(LoopbackCapture.Contains(plain, marker), $"control: the plain 9P read through A's styx-root shows no marker ({plain.Length} bytes captured)");
        Assert.True(LoopbackCapture.Contains(plain, Encoding.UTF8.GetBytes(name)), "control: the plain 9P walk shows no file name");

        Assert.True(link.Length > FileSize, $"the link capture holds {link.Length} bytes, less than the {FileSize} read over it");
        Assert.False(LoopbackCapture.Contains(link, marker), "the marker is in the clear on the link");
        Assert.False(LoopbackCapture.Contains(link, Encoding.UTF8.GetBytes(name)), "the file's name is in the clear on the link");
        for (var at = 0; at < FileSize; at += Block)
            Assert.False(LoopbackCapture.Contains(link, content.AsSpan(at, Block)), $"bytes {at}..{at + Block} of the file are in the clear on the link");
    }

    /// <summary>Captures TCP <paramref name="port"/> while the file is read through <paramref name="root"/> (retried until it resolves).</summary>
    private static async Task<byte[]> CaptureAsync(string dumpcap, int port, NodeRoot root, string name, byte[] content, ModuleNetwork network,
        CancellationToken ct)
    {
        await using var capture = await LoopbackCapture.StartAsync(dumpcap, port, Bound, ct);
        var read = await Eventually.SucceedsAsync(async () =>
        {
            await using var fs = await root.MountAsync(ct);
            return await fs.ReadAsync("alice/music/" + name, ct);
        }, Bound, $"reading /alice/music/{name} through styx-root on port {root.Port}\n{network.Describe()}", ct);
        Assert.True(read.AsSpan().SequenceEqual(content), $"read {read.Length} bytes through port {root.Port}, not the file's {content.Length}");
        return await capture.StopAsync(Bound, ct);
    }
}
