using System.Text;
using Cheshire.Styx.FileSystem.Ram;
using Cheshire.Styx.Namespaces;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Remote;
using Cheshire.Styx.Tests.Namespaces;

namespace Cheshire.Styx.Tests.Remote;

/// <summary>RemoteFileSystem against a Cheshire server that is offered only 9P2000 or 9P2000.u.</summary>
public sealed class RemoteDialectTests
{
    [Theory]
    [InlineData(DialectNames.Styx2000, Dialect.Styx2000)]
    [InlineData(DialectNames.Unix, Dialect.Unix)]
    [InlineData(DialectNames.Linux, Dialect.Linux)]
    public async Task Remote_tree_works_over_each_dialect(string version, Dialect expected)
    {
        await using var peer = new LoopbackServer(new RamFileSystem());
        await using var remote = await RemoteFileSystem.ConnectAsync("127.0.0.1", peer.Port, "", "glenda",
            new RemoteOptions { Version = version });
        Assert.Equal(expected, remote.Dialect);
        var ns = new Namespace();
        ns.Mount("/peer", remote);
        await using var h = NamespaceHarness.Start(ns);
        await using var client = await h.ConnectAsync();

        await client.MkdirAsync("/peer/d");
        var data = Encoding.UTF8.GetBytes(new string('x', 70_000));
        await client.WriteAsync("/peer/d/f", data);
        Assert.Equal(data, await client.ReadAsync("/peer/d/f"));
        Assert.Equal(["f"], await client.NamesAsync("/peer/d"));
        await client.RenameAsync("/peer/d/f", "/peer/d/g");
        Assert.Equal(["g"], await client.NamesAsync("/peer/d"));
        var attributes = await client.WithFidAsync("/peer/d/g", fid => client.Client.GetattrAsync(fid));
        Assert.Equal((ulong)data.Length, attributes.Size);
        Assert.Equal(UnixMode.Regular, attributes.Mode & UnixMode.TypeMask);
        Assert.Equal(Errno.ENOENT, await NinePClient.ErrnoOf(() => client.ReadAsync("/peer/d/missing")));
        await client.UnlinkAsync("/peer/d/g");
        await client.UnlinkAsync("/peer/d", directory: true);
        Assert.Empty(await client.NamesAsync("/peer"));
    }
}
