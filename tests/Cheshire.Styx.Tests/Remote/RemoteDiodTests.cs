using Cheshire.Testing;
using System.Text;
using Cheshire.Styx.Namespaces;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Remote;
using Cheshire.Styx.Tests.Namespaces;

namespace Cheshire.Styx.Tests.Remote;

/// <summary>diod's export mounted at /diod of a namespace, used through a 9P client of the namespace server.</summary>
public sealed class RemoteDiodTests
{
    private static async Task<(DiodServer Diod, RemoteFileSystem Remote, NamespaceHarness Harness, NinePClient Client)> StartAsync()
    {
        var diod = await DiodServer.StartAsync();
        var remote = await RemoteFileSystem.ConnectAsync("127.0.0.1", diod.Port, diod.Directory, "root",
            new RemoteOptions { ConnectTimeout = TimeSpan.FromSeconds(3) });
        var ns = new Namespace();
        ns.Mount("/diod", remote);
        var harness = NamespaceHarness.Start(ns);
        return (diod, remote, harness, await harness.ConnectAsync());
    }

    private static async Task StopAsync((DiodServer Diod, RemoteFileSystem Remote, NamespaceHarness Harness, NinePClient Client) s)
    {
        await s.Client.DisposeAsync();
        await s.Harness.DisposeAsync();
        await s.Remote.DisposeAsync();
        await s.Diod.DisposeAsync();
    }

    [Fact]
    public async Task Files_and_directories_through_the_namespace()
    {
        var s = await StartAsync();
        try
        {
            var (diod, client) = (s.Diod, s.Client);
            Assert.Equal(Dialect.Linux, s.Remote.Dialect);
            await File.WriteAllTextAsync(diod.PathOf("on-disk"), "written on disk");
            Directory.CreateDirectory(diod.PathOf("sub"));
            Assert.Equal(["on-disk", "sub"], (await client.NamesAsync("/diod")).Order());
            Assert.Equal("written on disk", await client.ReadTextAsync("/diod/on-disk"));

            await client.WriteTextAsync("/diod/sub/from-9p", "written through 9P");
            Assert.Equal("written through 9P", await File.ReadAllTextAsync(diod.PathOf("sub/from-9p")));

            await client.MkdirAsync("/diod/newdir");
            Assert.True(Directory.Exists(diod.PathOf("newdir")));
            await client.RenameAsync("/diod/sub/from-9p", "/diod/newdir/renamed");
            Assert.False(File.Exists(diod.PathOf("sub/from-9p")));
            Assert.Equal("written through 9P", await File.ReadAllTextAsync(diod.PathOf("newdir/renamed")));

            var c = client.Client;
            var fid = await client.WalkAsync("/diod/newdir/renamed");
            var attributes = await c.GetattrAsync(fid);
            Assert.Equal((ulong)"written through 9P".Length, attributes.Size);
            Assert.True(attributes.Qid.Path >> 48 != 0, "qid carries the mount tag");
            await c.SetattrAsync(new Messages.Tsetattr(0, fid, Messages.SetattrMask.Size, 0, 0, 0, 7, 0, 0, 0, 0));
            Assert.Equal("written", await File.ReadAllTextAsync(diod.PathOf("newdir/renamed")));
            var statfs = await c.StatfsAsync(fid);
            Assert.True(statfs.Blocks > 0);
            await c.ClunkAsync(fid);

            Assert.Equal(Errno.ENOENT, await NinePClient.ErrnoOf(() => client.ReadAsync("/diod/missing")));
            Assert.Equal(Errno.ENOTEMPTY, await NinePClient.ErrnoOf(() => client.UnlinkAsync("/diod/newdir", directory: true)));
            await client.UnlinkAsync("/diod/newdir/renamed");
            await client.UnlinkAsync("/diod/newdir", directory: true);
            Assert.False(Directory.Exists(diod.PathOf("newdir")));
            Assert.Equal(Errno.EEXIST, await NinePClient.ErrnoOf(() => client.MkdirAsync("/diod/sub")));
        }
        finally
        {
            await StopAsync(s);
        }
    }

    [Fact]
    public async Task One_MiB_copy_is_byte_for_byte()
    {
        var s = await StartAsync();
        try
        {
            var data = new byte[1 << 20];
            new Random(11).NextBytes(data);
            await File.WriteAllBytesAsync(s.Diod.PathOf("source"), data);
            var read = await s.Client.ReadAsync("/diod/source");
            Assert.Equal(data, read);
            await s.Client.WriteAsync("/diod/copy", read);
            Assert.Equal(data, await File.ReadAllBytesAsync(s.Diod.PathOf("copy")));
        }
        finally
        {
            await StopAsync(s);
        }
    }

    [Fact]
    public async Task Killing_diod_gives_eio_and_once_it_is_restarted_the_held_fids_work_again()
    {
        var s = await StartAsync();
        try
        {
            await File.WriteAllTextAsync(s.Diod.PathOf("f"), "data");
            var c = s.Client.Client;
            var open = await s.Client.WalkAsync("/diod/f");
            await c.LopenAsync(open, LinuxOpenFlags.ReadOnly);
            var held = await s.Client.WalkAsync("/diod");
            await s.Diod.KillAsync();

            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var buffer = new byte[16];
            Assert.Equal(Errno.EIO, await NinePClient.ErrnoOf(() => c.ReadAsync(open, 0, buffer, limit.Token)));
            Assert.Equal(Errno.EIO, await NinePClient.ErrnoOf(() => c.GetattrAsync(held, ct: limit.Token)));
            Assert.Equal(Errno.EIO, await NinePClient.ErrnoOf(() => s.Client.NamesAsync("/diod").WaitAsync(limit.Token)));
            Assert.Contains("diod", await s.Client.NamesAsync("/"));
            Assert.Equal(Errno.EIO, await NinePClient.ErrnoOf(() => c.GetattrAsync(held, ct: limit.Token)));

            await using var restarted = await DiodServer.StartAsync(s.Diod.Port, s.Diod.Directory);
            Assert.Equal(["f"], await s.Client.NamesAsync("/diod"));
            Assert.Equal("data", await s.Client.ReadTextAsync("/diod/f"));
            Assert.True((await c.GetattrAsync(held, ct: limit.Token)).Qid.IsDirectory);
            Assert.Equal(4, await c.ReadAsync(open, 0, buffer, limit.Token));
            Assert.Equal("data"u8.ToArray(), buffer[..4]);
            await c.ClunkAsync(open);
            await c.ClunkAsync(held);
        }
        finally
        {
            await StopAsync(s);
        }
    }
}
