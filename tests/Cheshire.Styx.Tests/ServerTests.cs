using System.Text;
using Cheshire.Styx.Client;
using Cheshire.Styx.FileSystem.Ram;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Tests;

public sealed class ServerTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    [Theory]
    [InlineData("9P2000", "9P2000")]
    [InlineData("9P2000.u", "9P2000.u")]
    [InlineData("9P2000.L", "9P2000.L")]
    [InlineData("9P2000.x", "9P2000")]
    [InlineData("9P1999", "unknown")]
    public async Task Version_negotiation_answers_the_dialect(string asked, string answered)
    {
        await using var server = new LoopbackServer(new RamFileSystem());
        await using var client = new StyxClient(new System.Net.Sockets.NetworkStream(await server.ConnectSocketAsync(), true));
        var reply = await client.VersionAsync(1 << 30, asked, Timeout);
        Assert.Equal(answered, reply.Version);
        Assert.Equal(StyxConstants.DefaultMessageSize, reply.MaxSize);
        var smaller = await client.VersionAsync(8192, asked, Timeout);
        Assert.Equal(8192u, smaller.MaxSize);
    }

    [Theory]
    [InlineData(DialectNames.Styx2000)]
    [InlineData(DialectNames.Unix)]
    [InlineData(DialectNames.Linux)]
    public async Task Create_write_read_stat_remove(string version)
    {
        await using var server = new LoopbackServer(new RamFileSystem());
        await using var client = await server.ConnectAsync(version, 8192);
        var ct = Timeout;
        uint root = client.NewFid(), dir = client.NewFid(), file = client.NewFid();
        var rootQid = await client.AttachAsync(root, "glenda", "", 1000, ct: ct);
        Assert.True(rootQid.IsDirectory);

        if (client.Dialect == Dialect.Linux)
        {
            await client.MkdirAsync(root, "sub", 0x1ED, ct: ct);
            Assert.Single(await client.WalkAsync(root, dir, ["sub"], ct));
            await client.WalkAsync(dir, file, [], ct);
            await client.LcreateAsync(file, "hello.txt", LinuxOpenFlags.ReadWrite, 0x1A4, ct: ct);
        }
        else
        {
            await client.WalkAsync(root, dir, [], ct);
            var created = await client.CreateAsync(dir, "sub", StyxMode.Directory | 0x1ED, StyxOpenMode.Read, ct: ct);
            Assert.True(created.Qid.IsDirectory);
            await client.ClunkAsync(dir, ct);
            await client.WalkAsync(root, dir, ["sub"], ct);
            await client.WalkAsync(dir, file, [], ct);
            await client.CreateAsync(file, "hello.txt", 0x1A4, StyxOpenMode.ReadWrite, ct: ct);
        }

        var text = Encoding.UTF8.GetBytes("hello, 9P\n");
        Assert.Equal(text.Length, await client.WriteAsync(file, 0, text, ct));
        Assert.Equal(text, await client.ReadAllAsync(file, ct));
        await client.ClunkAsync(file, ct);

        var reopened = client.NewFid();
        await client.WalkAsync(root, reopened, ["sub", "hello.txt"], ct);
        if (client.Dialect == Dialect.Linux)
        {
            var attributes = await client.GetattrAsync(reopened, ct: ct);
            Assert.Equal((ulong)text.Length, attributes.Size);
            Assert.Equal(UnixMode.Regular | 0x1A4, attributes.Mode);
            Assert.Equal(1000u, attributes.Uid);
        }
        else
        {
            var stat = await client.StatAsync(reopened, ct);
            Assert.Equal("hello.txt", stat.Name);
            Assert.Equal((ulong)text.Length, stat.Length);
            Assert.Equal("glenda", stat.Uid);
            if (client.Dialect == Dialect.Unix) Assert.Equal(1000u, stat.NUid);
        }
        await client.RemoveAsync(reopened, ct);
        var gone = await Assert.ThrowsAsync<StyxErrorException>(() => client.WalkPathAsync(root, client.NewFid(), "sub/hello.txt", ct));
        Assert.Equal(Errno.ENOENT, gone.Errno);
    }

    [Theory]
    [InlineData(DialectNames.Styx2000, 8192u)]
    [InlineData(DialectNames.Linux, 512 * 1024 + 24u)]
    public async Task One_MiB_written_and_read_back(string version, uint msize)
    {
        await using var server = new LoopbackServer(new RamFileSystem());
        await using var client = await server.ConnectAsync(version, msize);
        var ct = Timeout;
        uint root = client.NewFid(), file = client.NewFid();
        await client.AttachAsync(root, "glenda", "", ct: ct);
        await client.WalkAsync(root, file, [], ct);
        await client.CreateAsync(file, "big", 0x1A4, StyxOpenMode.ReadWrite, ct: ct);
        var data = new byte[1 << 20];
        new Random(7).NextBytes(data);
        await client.WriteAllAsync(file, 0, data, ct);
        Assert.Equal(data, await client.ReadAllAsync(file, ct));
        var stat = await client.StatAsync(file, ct);
        Assert.Equal((ulong)data.Length, stat.Length);
    }

    [Fact]
    public async Task Many_concurrent_requests_on_one_connection()
    {
        await using var server = new LoopbackServer(new RamFileSystem());
        await using var client = await server.ConnectAsync();
        var ct = Timeout;
        uint root = client.NewFid();
        await client.AttachAsync(root, "glenda", "", ct: ct);
        var tasks = Enumerable.Range(0, 64).Select(async i =>
        {
            uint fid = client.NewFid();
            await client.WalkAsync(root, fid, [], ct);
            await client.LcreateAsync(fid, $"f{i}", LinuxOpenFlags.ReadWrite, 0x1A4, ct: ct);
            var payload = Encoding.UTF8.GetBytes($"file number {i}");
            await client.WriteAsync(fid, 0, payload, ct);
            Assert.Equal(payload, await client.ReadAllAsync(fid, ct));
            await client.ClunkAsync(fid, ct);
        });
        await Task.WhenAll(tasks);
        var dir = client.NewFid();
        await client.WalkAsync(root, dir, [], ct);
        await client.LopenAsync(dir, 0, ct);
        var entries = await client.ReaddirAsync(dir, 0, 65536, ct);
        Assert.Equal(66, entries.Count);
    }

    [Fact]
    public async Task Unknown_and_reused_fids_are_errors()
    {
        await using var server = new LoopbackServer(new RamFileSystem());
        await using var client = await server.ConnectAsync(DialectNames.Unix);
        var ct = Timeout;
        await client.AttachAsync(1, "glenda", "", ct: ct);
        Assert.Equal(Errno.EBADF, (await Assert.ThrowsAsync<StyxErrorException>(() => client.AttachAsync(1, "glenda", "", ct: ct))).Errno);
        await client.WalkAsync(1, 2, [], ct);
        Assert.Equal(Errno.EBADF, (await Assert.ThrowsAsync<StyxErrorException>(() => client.WalkAsync(1, 2, [], ct))).Errno);
        Assert.Equal(Errno.EBADF, (await Assert.ThrowsAsync<StyxErrorException>(() => client.ClunkAsync(99, ct))).Errno);
        Assert.Equal(Errno.EBADF, (await Assert.ThrowsAsync<StyxErrorException>(() => client.ReadAsync(2, 0, new byte[10], ct))).Errno);
        await client.ClunkAsync(2, ct);
        await client.WalkAsync(1, 2, [], ct); // a clunked fid can be used again
        Assert.Equal(Errno.ENOENT, (await Assert.ThrowsAsync<StyxErrorException>(() => client.WalkAsync(1, 3, ["missing"], ct))).Errno);
        var partial = await client.WalkAsync(1, 3, [".", "missing"], ct);
        Assert.Single(partial);
        Assert.Equal(Errno.EBADF, (await Assert.ThrowsAsync<StyxErrorException>(() => client.ClunkAsync(3, ct))).Errno);
    }

    [Fact]
    public async Task Tversion_clunks_all_fids()
    {
        await using var server = new LoopbackServer(new RamFileSystem());
        await using var client = await server.ConnectAsync();
        var ct = Timeout;
        await client.AttachAsync(1, "glenda", "", ct: ct);
        await client.VersionAsync(8192, DialectNames.Linux, ct);
        Assert.Equal(Errno.EBADF, (await Assert.ThrowsAsync<StyxErrorException>(() => client.WalkAsync(1, 2, [], ct))).Errno);
        await client.AttachAsync(1, "glenda", "", ct: ct);
    }

    [Theory]
    [InlineData(DialectNames.Styx2000)]
    [InlineData(DialectNames.Unix)]
    public async Task Directory_reads_honour_offsets(string version)
    {
        var fs = new RamFileSystem();
        await using var server = new LoopbackServer(fs);
        await using var client = await server.ConnectAsync(version, 8192);
        var ct = Timeout;
        await client.AttachAsync(1, "glenda", "", ct: ct);
        for (int i = 0; i < 40; i++)
        {
            uint fid = client.NewFid() + 100;
            await client.WalkAsync(1, fid, [], ct);
            await client.CreateAsync(fid, $"file-{i:D2}", 0x1A4, StyxOpenMode.Write, ct: ct);
            await client.ClunkAsync(fid, ct);
        }
        await client.WalkAsync(1, 2, [], ct);
        await client.OpenAsync(2, StyxOpenMode.Read, ct);
        var names = new List<string>();
        ulong offset = 0;
        var buffer = new byte[300];
        while (true)
        {
            int read = await client.ReadAsync(2, offset, buffer, ct);
            if (read == 0) break;
            var entries = StatEntry.ReadDirectory(buffer.AsSpan(0, read), client.Dialect);
            Assert.NotEmpty(entries);
            names.AddRange(entries.Select(e => e.Name));
            offset += (ulong)read;
        }
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"file-{i:D2}").Order(), names.Order());

        Assert.Equal(Errno.EINVAL, (await Assert.ThrowsAsync<StyxErrorException>(() => client.ReadAsync(2, 7, buffer, ct))).Errno);
        int again = await client.ReadAsync(2, 0, buffer, ct); // offset 0 starts over
        Assert.Equal(names[0], StatEntry.ReadDirectory(buffer.AsSpan(0, again), client.Dialect)[0].Name);
        Assert.Equal(Errno.EINVAL, (await Assert.ThrowsAsync<StyxErrorException>(() => client.ReadAsync(2, 0, new byte[20], ct))).Errno);
    }

    [Fact]
    public async Task Readdir_cookies_resume_where_they_say()
    {
        await using var server = new LoopbackServer(new RamFileSystem());
        await using var client = await server.ConnectAsync(DialectNames.Linux, 8192);
        var ct = Timeout;
        await client.AttachAsync(1, "glenda", "", ct: ct);
        for (int i = 0; i < 30; i++) await client.MkdirAsync(1, $"d{i}", 0x1ED, ct: ct);
        await client.WalkAsync(1, 2, [], ct);
        await client.LopenAsync(2, LinuxOpenFlags.Directory, ct);
        var all = new List<Dirent>();
        ulong cookie = 0;
        while (true)
        {
            var batch = await client.ReaddirAsync(2, cookie, 200, ct);
            if (batch.Count == 0) break;
            all.AddRange(batch);
            cookie = batch[^1].Offset;
        }
        Assert.Equal(32, all.Count);
        Assert.Equal([".", ".."], all.Take(2).Select(d => d.Name));
        Assert.All(all, d => Assert.Equal(4, d.Type));
        Assert.Equal(Errno.EINVAL, (await Assert.ThrowsAsync<StyxErrorException>(() => client.ReaddirAsync(2, 0, 10, ct))).Errno);
        var resumed = await client.ReaddirAsync(2, all[9].Offset, 8192, ct);
        Assert.Equal(all[10].Name, resumed[0].Name);
        var attrs = await client.GetattrAsync(1, ct: ct);
        Assert.Equal(32ul, attrs.Nlink);
    }

    [Fact]
    public async Task Linux_rename_unlink_setattr_statfs_fsync_lock()
    {
        var fs = new RamFileSystem();
        await using var server = new LoopbackServer(fs);
        await using var client = await server.ConnectAsync(DialectNames.Linux);
        var ct = Timeout;
        await client.AttachAsync(1, "root", "", 0, ct: ct);
        await client.MkdirAsync(1, "a", 0x1ED, ct: ct);
        await client.MkdirAsync(1, "b", 0x1ED, ct: ct);
        await client.WalkAsync(1, 2, ["a"], ct);
        await client.LcreateAsync(2, "f", LinuxOpenFlags.WriteOnly, 0x1A4, ct: ct);
        await client.WriteAsync(2, 0, new byte[100], ct);
        await client.FsyncAsync(2, ct);
        var locked = (Rlock)await client.RpcAsync(new Tlock(0, 2, 1, 0, 0, 0, 1, "me"), ct);
        Assert.Equal(Rlock.Success, locked.Status);
        var getlock = (Rgetlock)await client.RpcAsync(new Tgetlock(0, 2, 1, 0, 0, 1, "me"), ct);
        Assert.Equal(Rgetlock.Unlocked, getlock.LockType);
        var xattr = (Rlerror)await client.RpcAsync(new Txattrwalk(0, 2, 9, "security.selinux"), ct);
        Assert.Equal(Errno.EOPNOTSUPP, xattr.Errno);
        var symlink = (Rlerror)await client.RpcAsync(new Tsymlink(0, 1, "", "a/f", 0), ct);
        Assert.Equal(Errno.EINVAL, symlink.Errno);
        await client.ClunkAsync(2, ct);

        await client.WalkAsync(1, 3, ["b"], ct);
        await client.WalkAsync(1, 4, ["a"], ct);
        await client.RenameatAsync(4, "f", 3, "g", ct);
        await client.WalkAsync(3, 5, ["g"], ct);
        await client.SetattrAsync(new Tsetattr(0, 5, SetattrMask.Size | SetattrMask.Mode | SetattrMask.Mtime | SetattrMask.MtimeSet,
            0x180, 0, 0, 10, 0, 0, 1_000_000, 5), ct);
        var attributes = await client.GetattrAsync(5, ct: ct);
        Assert.Equal(10ul, attributes.Size);
        Assert.Equal(UnixMode.Regular | 0x180, attributes.Mode);
        Assert.Equal(1_000_000ul, attributes.MtimeSec);

        var notEmpty = await Assert.ThrowsAsync<StyxErrorException>(() => client.UnlinkatAsync(1, "b", Tunlinkat.RemoveDirectory, ct));
        Assert.Equal(Errno.ENOTEMPTY, notEmpty.Errno);
        Assert.Equal(Errno.EISDIR, (await Assert.ThrowsAsync<StyxErrorException>(() => client.UnlinkatAsync(1, "a", 0, ct))).Errno);
        await client.UnlinkatAsync(3, "g", 0, ct);
        await client.UnlinkatAsync(1, "b", Tunlinkat.RemoveDirectory, ct);
        var statfs = await client.StatfsAsync(1, ct);
        Assert.Equal(4096u, statfs.BlockSize);
        Assert.Equal(0, fs.BytesUsed);
    }

    [Fact]
    public async Task Wstat_renames_and_truncates()
    {
        await using var server = new LoopbackServer(new RamFileSystem());
        await using var client = await server.ConnectAsync(DialectNames.Styx2000);
        var ct = Timeout;
        await client.AttachAsync(1, "glenda", "", ct: ct);
        await client.WalkAsync(1, 2, [], ct);
        await client.CreateAsync(2, "old", 0x1A4, StyxOpenMode.Write, ct: ct);
        await client.WriteAsync(2, 0, new byte[50], ct);
        await client.WstatAsync(2, StatEntry.DontTouch with { Name = "new", Length = 5 }, ct);
        var stat = await client.StatAsync(2, ct);
        Assert.Equal(("new", 5ul), (stat.Name, stat.Length));
        await client.WalkAsync(1, 3, ["new"], ct);
    }
}
