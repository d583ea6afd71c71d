using Cheshire.Styx.FileSystem.Ram;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;
using static Cheshire.Styx.Tests.Ram.RamHarness;

namespace Cheshire.Styx.Tests.Ram;

/// <summary>Who may do what, per attaching user, over 9P2000.L.</summary>
public sealed class RamPermissionTests
{
    private static readonly byte[] Data = "secret"u8.ToArray();

    [Fact]
    public async Task Read_and_write_follow_the_owner_group_and_other_bits()
    {
        await using var h = RamHarness.Start();
        var alice = await h.AttachAsync(1000);
        var bob = await h.AttachAsync(1001);
        var root = await h.AttachAsync(0);
        await alice.CreateAsync("private", 0x180); // 0600
        await alice.WriteAsync("private", Data);

        Assert.Equal(Errno.EACCES, await ErrnoOf(() => bob.OpenAsync("private", LinuxOpenFlags.ReadOnly)));
        Assert.Equal(Errno.EACCES, await ErrnoOf(() => bob.OpenAsync("private", LinuxOpenFlags.WriteOnly)));
        Assert.Equal(Data, await root.ReadAsync("private"));
        await alice.ChmodAsync("private", 0x1A4); // 0644
        Assert.Equal(Data, await bob.ReadAsync("private"));
        Assert.Equal(Errno.EACCES, await ErrnoOf(() => bob.OpenAsync("private", LinuxOpenFlags.WriteOnly)));
        Assert.Equal(Errno.EACCES, await ErrnoOf(() => bob.OpenAsync("private", LinuxOpenFlags.ReadOnly | LinuxOpenFlags.Truncate)));
        await alice.ChmodAsync("private", 0x00C); // 0014: the owner's own bits apply to the owner, even when other has more
        Assert.Equal(Errno.EACCES, await ErrnoOf(() => alice.OpenAsync("private", LinuxOpenFlags.ReadOnly)));
        Assert.Equal(Data, await bob.ReadAsync("private"));
        Assert.Equal(Errno.EACCES, await ErrnoOf(() => bob.OpenAsync("private", LinuxOpenFlags.WriteOnly)));
    }

    [Fact]
    public async Task Search_permission_guards_lookups_and_root_bypasses_it()
    {
        await using var h = RamHarness.Start();
        var alice = await h.AttachAsync(1000);
        var bob = await h.AttachAsync(1001);
        var root = await h.AttachAsync(0);
        await alice.MkdirAsync("d", 0x1C0); // 0700
        await alice.CreateAsync("d/f");
        Assert.Equal(Errno.EACCES, await ErrnoOf(() => bob.StatAsync("d/f")));
        Assert.Equal(Errno.EACCES, await ErrnoOf(() => bob.CreateAsync("d/mine")));
        Assert.Equal(UnixMode.Regular | 0x1A4, (await root.StatAsync("d/f")).Mode);
        await alice.ChmodAsync("d", 0x1C9); // 0711: search but not list
        Assert.Equal(1000u, (await bob.StatAsync("d/f")).Uid);
        Assert.Equal(Errno.EACCES, await ErrnoOf(() => bob.WithFidAsync("d", async fid =>
        {
            await bob.Client.LopenAsync(fid, LinuxOpenFlags.Directory);
            await bob.Client.ReaddirAsync(fid, 0);
        })));
    }

    [Fact]
    public async Task Create_remove_and_rename_need_write_and_search_on_the_directory()
    {
        await using var h = RamHarness.Start();
        var alice = await h.AttachAsync(1000);
        var bob = await h.AttachAsync(1001);
        await alice.MkdirAsync("d", 0x1ED); // 0755
        await alice.CreateAsync("d/f", 0x1B6); // 0666: bob may write it, not its name
        await bob.MkdirAsync("mine");
        Assert.Equal(Errno.EACCES, await ErrnoOf(() => bob.CreateAsync("d/g")));
        Assert.Equal(Errno.EACCES, await ErrnoOf(() => bob.MkdirAsync("d/sub")));
        Assert.Equal(Errno.EACCES, await ErrnoOf(() => bob.UnlinkAsync("d/f")));
        Assert.Equal(Errno.EACCES, await ErrnoOf(() => bob.RenameAsync("d/f", "mine/f")));
        Assert.Equal(Errno.EACCES, await ErrnoOf(() => bob.LinkAsync("d/f", "d/f2")));
        await bob.LinkAsync("d/f", "mine/f2");
        Assert.Equal(Errno.EEXIST, await ErrnoOf(() => bob.CreateAsync("d/f"))); // EEXIST comes before EACCES, as on Linux
        await bob.WriteAsync("d/f", Data);
        await alice.UnlinkAsync("d/f");
        Assert.Equal(Data, await bob.ReadAsync("mine/f2"));
    }

    [Fact]
    public async Task Sticky_directory_lets_only_the_owners_or_root_remove_and_rename()
    {
        await using var h = RamHarness.Start(); // the root is 01777, like /tmp
        var alice = await h.AttachAsync(1000);
        var bob = await h.AttachAsync(1001);
        var carol = await h.AttachAsync(1002);
        var root = await h.AttachAsync(0);
        Assert.Equal(UnixMode.Directory | 0x3FF, (await root.StatAsync("")).Mode);
        await alice.CreateAsync("a1", 0x1B6);
        await alice.CreateAsync("a2", 0x1B6);
        await bob.CreateAsync("b1");
        Assert.Equal(Errno.EPERM, await ErrnoOf(() => bob.UnlinkAsync("a1")));
        Assert.Equal(Errno.EPERM, await ErrnoOf(() => bob.RenameAsync("a1", "mine")));
        Assert.Equal(Errno.EPERM, await ErrnoOf(() => bob.RenameAsync("b1", "a1"))); // replacing alice's file is removing it
        await alice.RenameAsync("a1", "a1-renamed");
        await root.UnlinkAsync("a1-renamed");

        await alice.MkdirAsync("shared", 0x3FF); // 01777 owned by alice: the directory's owner may remove anything in it
        await bob.CreateAsync("shared/b");
        Assert.Equal(Errno.EPERM, await ErrnoOf(() => carol.UnlinkAsync("shared/b")));
        await alice.UnlinkAsync("shared/b");
        await alice.ChmodAsync("shared", 0x1FF); // not sticky any more: anyone who may write the directory may remove
        await bob.CreateAsync("shared/b2");
        await carol.UnlinkAsync("shared/b2");
    }

    [Fact]
    public async Task Setgid_directory_gives_its_group_to_new_entries_and_setgid_to_new_directories()
    {
        await using var h = RamHarness.Start(new RamFileSystem(groups: RamGroupMembership.PrimaryGroupOnly));
        var alice = await h.AttachAsync(1000);
        var root = await h.AttachAsync(0);
        await root.MkdirAsync("project", 0x5FF); // 02777
        await root.ChownAsync("project", 0, 50);
        await alice.CreateAsync("project/file");
        await alice.MkdirAsync("project/sub");
        await alice.CreateAsync("plain");

        var file = await alice.StatAsync("project/file");
        Assert.Equal((1000u, 50u, UnixMode.Regular | 0x1A4), (file.Uid, file.Gid, file.Mode));
        var sub = await alice.StatAsync("project/sub");
        Assert.Equal((50u, UnixMode.Directory | 0x400 | 0x1ED), (sub.Gid, sub.Mode));
        await alice.CreateAsync("project/sub/deeper");
        Assert.Equal(50u, (await alice.StatAsync("project/sub/deeper")).Gid);
        Assert.Equal(1000u, (await alice.StatAsync("plain")).Gid);
        await alice.CreateAsync("project/tool", 0x5ED); // 02755 in a group alice is not in: setgid dropped
        Assert.Equal(UnixMode.Regular | 0x1ED, (await alice.StatAsync("project/tool")).Mode);
    }

    [Fact]
    public async Task Write_or_truncate_by_a_non_root_user_clears_setuid_and_group_executable_setgid()
    {
        await using var h = RamHarness.Start();
        var alice = await h.AttachAsync(1000);
        var bob = await h.AttachAsync(1001);
        var root = await h.AttachAsync(0);
        await alice.CreateAsync("tool", 0xDFF); // 06777
        await root.WriteAsync("tool", Data);
        Assert.Equal(UnixMode.Regular | 0xDFF, (await alice.StatAsync("tool")).Mode);
        await bob.WriteAsync("tool", Data);
        Assert.Equal(UnixMode.Regular | 0x1FF, (await alice.StatAsync("tool")).Mode);

        await alice.ChmodAsync("tool", 0xDB6); // 06666: setgid without group execute is mandatory locking, kept
        await bob.SetattrAsync("tool", SetattrMask.Size, size: 1);
        Assert.Equal(UnixMode.Regular | 0x5B6, (await alice.StatAsync("tool")).Mode);
    }

    [Fact]
    public async Task A_file_created_with_mode_0_is_written_and_truncated_through_its_creating_handle_only()
    {
        await using var h = RamHarness.Start();
        var alice = await h.AttachAsync(1000);
        var fid = await alice.CreateOpenAsync("locked", 0);
        await alice.Client.WriteAsync(fid, 0, Data);
        await alice.Client.SetattrAsync(new Tsetattr(0, fid, SetattrMask.Size | SetattrMask.Mtime | SetattrMask.Ctime, 0, 0, 0, 2, 0, 0, 0, 0));
        Assert.Equal(2ul, (await alice.Client.GetattrAsync(fid)).Size);
        Assert.Equal(Errno.EACCES, await ErrnoOf(() => alice.SetattrAsync("locked", SetattrMask.Size, size: 0)));
        Assert.Equal(Errno.EACCES, await ErrnoOf(() => alice.OpenAsync("locked", LinuxOpenFlags.ReadOnly)));
        await alice.Client.ClunkAsync(fid);
    }
}
