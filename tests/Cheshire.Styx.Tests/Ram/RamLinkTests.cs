using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;
using static Cheshire.Styx.Tests.Ram.RamHarness;

namespace Cheshire.Styx.Tests.Ram;

/// <summary>Hard links, symlinks and special files, and files that outlive their names.</summary>
public sealed class RamLinkTests
{
    [Fact]
    public async Task Hard_links_share_data_and_count_names()
    {
        await using var h = RamHarness.Start();
        var alice = await h.AttachAsync(1000);
        await alice.MkdirAsync("d");
        await alice.CreateAsync("a");
        await alice.WriteAsync("a", "one"u8.ToArray());
        await alice.LinkAsync("a", "d/b");
        var a = await alice.StatAsync("a");
        var b = await alice.StatAsync("d/b");
        Assert.Equal((2ul, a.Qid.Path), (b.Nlink, b.Qid.Path));
        await alice.WriteAsync("d/b", "two"u8.ToArray());
        Assert.Equal("two"u8.ToArray(), await alice.ReadAsync("a"));

        await alice.RenameAsync("a", "d/b"); // two names of one file: rename does nothing
        Assert.Equal(2ul, (await alice.StatAsync("a")).Nlink);
        await alice.UnlinkAsync("a");
        Assert.Equal(1ul, (await alice.StatAsync("d/b")).Nlink);
        Assert.Equal("two"u8.ToArray(), await alice.ReadAsync("d/b"));
        Assert.Equal(Errno.EEXIST, await ErrnoOf(() => alice.LinkAsync("d/b", "d/b")));
        Assert.Equal(Errno.EPERM, await ErrnoOf(() => alice.LinkAsync("d", "d2")));
        Assert.Equal(3ul, (await alice.StatAsync("")).Nlink); // root: . and .. and d's ..
    }

    [Fact]
    public async Task Removing_one_name_through_a_fid_removes_that_name()
    {
        await using var h = RamHarness.Start();
        var alice = await h.AttachAsync(1000);
        await alice.CreateAsync("a");
        await alice.LinkAsync("a", "b");
        var fid = await alice.WalkAsync("b");
        await alice.Client.RemoveAsync(fid);
        Assert.Equal(1ul, (await alice.StatAsync("a")).Nlink);
        Assert.Equal(Errno.ENOENT, await ErrnoOf(() => alice.StatAsync("b")));
    }

    [Fact]
    public async Task An_unlinked_file_keeps_its_data_while_open_and_frees_it_on_the_last_close()
    {
        await using var h = RamHarness.Start();
        var alice = await h.AttachAsync(1000);
        var fid = await alice.CreateOpenAsync("scratch");
        var data = new byte[10_000];
        new Random(3).NextBytes(data);
        await alice.Client.WriteAllAsync(fid, 0, data);
        await alice.UnlinkAsync("scratch");
        Assert.Equal(Errno.ENOENT, await ErrnoOf(() => alice.StatAsync("scratch")));

        Assert.Equal(data, await alice.Client.ReadAllAsync(fid));
        await alice.Client.WriteAsync(fid, 10_000, "more"u8.ToArray());
        var attributes = await alice.Client.GetattrAsync(fid);
        Assert.Equal((0ul, 10_004ul), (attributes.Nlink, attributes.Size));
        Assert.Equal(10_004, h.Fs.BytesUsed);
        await alice.Client.ClunkAsync(fid);
        Assert.Equal(0, h.Fs.BytesUsed);
    }

    [Fact]
    public async Task Symlinks_store_their_target_and_look_like_lstat()
    {
        await using var h = RamHarness.Start();
        var alice = await h.AttachAsync(1000);
        await alice.SymlinkAsync("link", "some/where/else");
        var attributes = await alice.StatAsync("link");
        Assert.Equal((UnixMode.Symlink | 0x1FF, 15ul), (attributes.Mode, attributes.Size));
        Assert.Equal(QidType.Symlink, attributes.Qid.Type);
        Assert.Equal("some/where/else", await alice.WithFidAsync("link", fid => alice.Client.ReadlinkAsync(fid)));
        Assert.Equal(Errno.EINVAL, await ErrnoOf(() => alice.WithFidAsync("", fid => alice.Client.ReadlinkAsync(fid))));
        Assert.Equal(Errno.EEXIST, await ErrnoOf(() => alice.SymlinkAsync("link", "x")));
        Assert.Equal(Errno.ENOENT, await ErrnoOf(() => alice.SymlinkAsync("empty", "")));
        await alice.LinkAsync("link", "hard"); // a hard link to the symlink itself
        Assert.Equal(2ul, (await alice.StatAsync("link")).Nlink);
    }

    [Fact]
    public async Task Mknod_keeps_the_type_and_device_number_and_devices_need_root()
    {
        await using var h = RamHarness.Start();
        var alice = await h.AttachAsync(1000);
        var root = await h.AttachAsync(0);
        await alice.MknodAsync("fifo", UnixMode.Fifo | 0x1A4);
        await alice.MknodAsync("socket", UnixMode.Socket | 0x1ED);
        await root.MknodAsync("null", UnixMode.CharDevice | 0x1B6, 1, 3);
        await root.MknodAsync("disk", UnixMode.BlockDevice | 0x1B0, 259, 0x12345);
        Assert.Equal(Errno.EPERM, await ErrnoOf(() => alice.MknodAsync("mine", UnixMode.CharDevice | 0x1B6, 1, 3)));

        var fifo = await alice.StatAsync("fifo");
        Assert.Equal((UnixMode.Fifo | 0x1A4, 1000u, 0ul), (fifo.Mode, fifo.Uid, fifo.Rdev));
        Assert.Equal(UnixMode.Socket | 0x1ED, (await alice.StatAsync("socket")).Mode);
        var devNull = await alice.StatAsync("null");
        Assert.Equal((UnixMode.CharDevice | 0x1B6, DeviceNumber.Make(1, 3)), (devNull.Mode, devNull.Rdev));
        Assert.Equal(0x103ul, devNull.Rdev); // makedev(1, 3) as glibc and the kernel's new_encode_dev spell it
        var disk = await alice.StatAsync("disk");
        Assert.Equal(UnixMode.BlockDevice | 0x1B0, disk.Mode);
        Assert.Equal((259u, 0x12345u), (DeviceNumber.Major(disk.Rdev), DeviceNumber.Minor(disk.Rdev)));
        await alice.UnlinkAsync("fifo");
        await root.RenameAsync("null", "null2");
        Assert.Equal(DeviceNumber.Make(1, 3), (await alice.StatAsync("null2")).Rdev);
    }

    [Fact]
    public async Task Files_grow_sparse_past_2_and_4_GiB()
    {
        await using var h = RamHarness.Start(new FileSystem.Ram.RamFileSystem(capacityBytes: 16 << 20));
        var alice = await h.AttachAsync(1000);
        var fid = await alice.CreateOpenAsync("huge");
        var payload = "past the 32-bit line"u8.ToArray();
        const ulong twoGiB = 2UL << 30, fiveGiB = 5UL << 30;
        await alice.Client.WriteAsync(fid, twoGiB, payload);
        await alice.Client.WriteAsync(fid, fiveGiB - 3, payload); // straddles a chunk boundary
        Assert.Equal(fiveGiB - 3 + (ulong)payload.Length, (await alice.Client.GetattrAsync(fid)).Size);
        var buffer = new byte[payload.Length + 8];
        Assert.Equal(buffer.Length, await alice.Client.ReadAsync(fid, twoGiB - 8, buffer));
        Assert.Equal(new byte[8], buffer[..8]);
        Assert.Equal(payload, buffer[8..]);
        var tail = new byte[64];
        Assert.Equal(payload.Length, await alice.Client.ReadAsync(fid, fiveGiB - 3, tail));
        Assert.Equal(payload, tail[..payload.Length]);
        Assert.Equal(2 * payload.Length, h.Fs.BytesUsed); // the holes cost nothing

        await alice.Client.SetattrAsync(new Tsetattr(0, fid, SetattrMask.Size, 0, 0, 0, twoGiB + 4, 0, 0, 0, 0));
        Assert.Equal(4, h.Fs.BytesUsed);
        Assert.Equal(4, await alice.Client.ReadAsync(fid, twoGiB, buffer));
        Assert.Equal(payload[..4], buffer[..4]);
        await alice.Client.SetattrAsync(new Tsetattr(0, fid, SetattrMask.Size, 0, 0, 0, fiveGiB, 0, 0, 0, 0));
        Assert.Equal(8, await alice.Client.ReadAsync(fid, twoGiB, buffer.AsMemory(0, 8)));
        Assert.Equal(new byte[4], buffer[4..8]); // truncating away and growing back reads as zeros
    }
}
