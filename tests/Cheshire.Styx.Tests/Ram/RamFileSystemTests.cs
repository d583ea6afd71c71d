using Cheshire.Styx.FileSystem;
using Cheshire.Styx.FileSystem.Ram;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Tests.Ram;

public sealed class RamFileSystemTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static CreateOptions File => new(UnixMode.Regular | 0x1A4, 0, 0, "glenda");
    private static CreateOptions Directory => new(UnixMode.Directory | 0x1ED, 0, 0, "glenda");

    private static async Task<Errno> ErrnoOf(Func<Task> action) => (await Assert.ThrowsAsync<StyxErrorException>(action)).Errno;

    [Fact]
    public async Task Rename_rules_follow_posix()
    {
        INode root = new RamFileSystem().Root;
        var a = await root.CreateAsync("a", Directory, None);
        var b = await a.CreateAsync("b", Directory, None);
        var f = await root.CreateAsync("f", File, None);
        var g = await root.CreateAsync("g", File, None);

        Assert.Equal(Errno.EINVAL, await ErrnoOf(() => a.RenameAsync(b, "a2", None).AsTask()));
        Assert.Equal(Errno.ENOTDIR, await ErrnoOf(() => a.RenameAsync(null, "f", None).AsTask()));
        Assert.Equal(Errno.EISDIR, await ErrnoOf(() => f.RenameAsync(null, "a", None).AsTask()));
        Assert.Equal(Errno.ENOTEMPTY, await ErrnoOf(() => root.CreateAsync("c", Directory, None).AsTask()
            .ContinueWith(_ => a.RemoveAsync(None).AsTask()).Unwrap()));

        await f.RenameAsync(null, "g", None); // replaces g
        Assert.Equal(f.Qid.Path, (await root.LookupAsync("g", None)).Qid.Path);
        Assert.Equal(Errno.ENOENT, await ErrnoOf(() => root.LookupAsync("f", None).AsTask()));
        Assert.Equal(Errno.ENOENT, await ErrnoOf(() => g.RemoveAsync(None).AsTask()));

        await f.RenameAsync(b, "moved", None);
        Assert.Equal(f.Qid.Path, (await b.LookupAsync("moved", None)).Qid.Path);
        Assert.Equal(Errno.EEXIST, await ErrnoOf(() => b.CreateAsync("moved", File, None).AsTask()));
        Assert.Equal(Errno.EINVAL, await ErrnoOf(() => b.CreateAsync("x/y", File, None).AsTask()));
    }

    [Fact]
    public async Task Truncate_write_append_and_capacity()
    {
        var fs = new RamFileSystem(capacityBytes: 10_000, maxFileBytes: 8_000);
        INode root = fs.Root;
        var f = await root.CreateAsync("f", File, None);
        await using (var handle = await f.OpenAsync(new OpenOptions(OpenAccess.ReadWrite), None))
        {
            await handle.WriteAsync(10, new byte[] { 1, 2, 3 }, None);
            var buffer = new byte[20];
            Assert.Equal(13, await handle.ReadAsync(0, buffer, None));
            Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3 }, buffer[..13]);
            Assert.Equal(Errno.EFBIG, await ErrnoOf(() => handle.WriteAsync(7_999, new byte[2], None).AsTask()));
        }
        await using (var append = await f.OpenAsync(new OpenOptions(OpenAccess.Write, Append: true), None))
        {
            await append.WriteAsync(0, new byte[] { 9 }, None);
        }
        Assert.Equal(14ul, (await f.GetAttributesAsync(None)).Size);
        await f.SetAttributesAsync(new AttributeChanges { Size = 2 }, None);
        await using (var reader = await f.OpenAsync(new OpenOptions(OpenAccess.Read), None))
        {
            var buffer = new byte[20];
            Assert.Equal(2, await reader.ReadAsync(0, buffer, None));
            Assert.Equal(Errno.EBADF, await ErrnoOf(() => reader.WriteAsync(0, new byte[1], None).AsTask()));
        }
        var big = await root.CreateAsync("big", File, None);
        await big.SetAttributesAsync(new AttributeChanges { Size = 7_000 }, None); // a hole: no capacity used
        Assert.Equal(0, fs.BytesUsed); // bytes 0-1 were never written: a hole, and sizing up makes another
        await using (var writer = await big.OpenAsync(new OpenOptions(OpenAccess.Write), None))
        {
            await writer.WriteAsync(0, new byte[7_000], None);
        }
        var other = await root.CreateAsync("other", File, None);
        await using (var writer = await other.OpenAsync(new OpenOptions(OpenAccess.Write), None))
        {
            Assert.Equal(Errno.ENOSPC, await ErrnoOf(() => writer.WriteAsync(0, new byte[7_000], None).AsTask()));
        }
        await big.RemoveAsync(None);
        Assert.Equal(0, fs.BytesUsed); // bytes 0-1 were never written: a hole
    }
}
