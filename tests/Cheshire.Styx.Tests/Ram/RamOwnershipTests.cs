using Cheshire.Styx.FileSystem;
using Cheshire.Styx.FileSystem.Ram;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Namespaces;
using Cheshire.Styx.Protocol;
using static Cheshire.Styx.Tests.Ram.RamHarness;

namespace Cheshire.Styx.Tests.Ram;

/// <summary>Owners come from the attach; chown and chmod follow POSIX; the user is kept through a Namespace.</summary>
public sealed class RamOwnershipTests
{
    [Fact]
    public async Task New_files_belong_to_the_attaching_user()
    {
        await using var h = RamHarness.Start();
        var alice = await h.AttachAsync(1000);
        await alice.CreateAsync("f");
        await alice.MkdirAsync("d");
        await alice.SymlinkAsync("l", "f");
        foreach (var name in new[] { "f", "d", "l" })
        {
            var attributes = await alice.StatAsync(name);
            Assert.Equal((1000u, 1000u), (attributes.Uid, attributes.Gid));
        }
    }

    [Fact]
    public async Task Only_root_changes_the_owner_and_only_the_owner_the_group()
    {
        await using var h = RamHarness.Start();
        var alice = await h.AttachAsync(1000);
        var bob = await h.AttachAsync(1001);
        var root = await h.AttachAsync(0);
        await alice.CreateAsync("f");

        Assert.Equal(Errno.EPERM, await ErrnoOf(() => alice.ChownAsync("f", 1001, 1000)));
        Assert.Equal(Errno.EPERM, await ErrnoOf(() => bob.ChgrpAsync("f", 1001)));
        Assert.Equal(Errno.EPERM, await ErrnoOf(() => bob.ChmodAsync("f", 0x1FF)));
        await alice.ChownAsync("f", 1000, 1000); // to itself: allowed
        await alice.ChgrpAsync("f", 50); // the client vouches that alice is in group 50 (Linux checked it)
        Assert.Equal((1000u, 50u), ((await alice.StatAsync("f")).Uid, (await alice.StatAsync("f")).Gid));
        await root.ChownAsync("f", 1001, 1001);
        Assert.Equal((1001u, 1001u), ((await alice.StatAsync("f")).Uid, (await alice.StatAsync("f")).Gid));
        await bob.ChmodAsync("f", 0x180);
        Assert.Equal(Errno.EACCES, await ErrnoOf(() => alice.ReadAsync("f")));
    }

    [Fact]
    public async Task With_primary_groups_only_the_owner_may_only_choose_its_own_group()
    {
        await using var h = RamHarness.Start(new RamFileSystem(groups: RamGroupMembership.PrimaryGroupOnly));
        var alice = await h.AttachAsync(1000);
        var root = await h.AttachAsync(0);
        await alice.CreateAsync("f");
        Assert.Equal(Errno.EPERM, await ErrnoOf(() => alice.ChgrpAsync("f", 50)));
        await root.ChgrpAsync("f", 50);
        await alice.ChgrpAsync("f", 50); // the group it already has
        await alice.ChgrpAsync("f", 1000);
        Assert.Equal(1000u, (await alice.StatAsync("f")).Gid);
    }

    [Theory]
    [InlineData(RamGroupMembership.ClaimedByClient, true)]
    [InlineData(RamGroupMembership.PrimaryGroupOnly, false)]
    public async Task Group_bits_admit_members(RamGroupMembership groups, bool bobMayRead)
    {
        await using var h = RamHarness.Start(new RamFileSystem(groups: groups));
        var alice = await h.AttachAsync(1000);
        var root = await h.AttachAsync(0);
        var bob = await h.AttachAsync(1001);
        await alice.CreateAsync("f", 0x1A0); // 0640
        await alice.WriteAsync("f", "team"u8.ToArray());
        await root.ChownAsync("f", 1000, 1001); // bob's primary group: bob is certainly a member
        Assert.Equal("team"u8.ToArray(), await bob.ReadAsync("f"));
        Assert.Equal(Errno.EACCES, await ErrnoOf(() => bob.OpenAsync("f", LinuxOpenFlags.WriteOnly)));
        await root.ChownAsync("f", 1000, 50); // a group bob may or may not be in
        if (bobMayRead) Assert.Equal("team"u8.ToArray(), await bob.ReadAsync("f"));
        else Assert.Equal(Errno.EACCES, await ErrnoOf(() => bob.ReadAsync("f")));
        await alice.ChmodAsync("f", 0x184); // 0604: members of 50 may not read, others may
        Assert.Equal("team"u8.ToArray(), await bob.ReadAsync("f"));
    }

    [Fact]
    public async Task Chown_clears_setuid_and_chmod_outside_the_group_drops_setgid()
    {
        await using var h = RamHarness.Start(new RamFileSystem(groups: RamGroupMembership.PrimaryGroupOnly));
        var alice = await h.AttachAsync(1000);
        var root = await h.AttachAsync(0);
        await alice.CreateAsync("tool", 0x9ED); // 04755
        await alice.ChgrpAsync("tool", 1000);
        Assert.Equal(UnixMode.Regular | 0x1ED, (await alice.StatAsync("tool")).Mode);

        await root.ChownAsync("tool", 1000, 50);
        await alice.ChmodAsync("tool", 0xDED); // 06755, but alice is not in group 50: setgid is not set
        Assert.Equal(UnixMode.Regular | 0x9ED, (await alice.StatAsync("tool")).Mode);
        await root.ChmodAsync("tool", 0xDED);
        Assert.Equal(UnixMode.Regular | 0xDED, (await alice.StatAsync("tool")).Mode);

        await root.MkdirAsync("d", 0xDED); // a directory keeps its bits through chown
        await root.ChownAsync("d", 1000, 1000);
        Assert.Equal(UnixMode.Directory | 0xDED, (await alice.StatAsync("d")).Mode);
    }

    [Fact]
    public async Task Plain_9P2000_users_are_told_apart_by_name()
    {
        await using var h = RamHarness.Start();
        var glenda = await h.AttachByNameAsync("glenda");
        var bob = await h.AttachByNameAsync("bob");
        var fid = glenda.Client.NewFid();
        await glenda.Client.WalkAsync(glenda.Root, fid, []);
        await glenda.Client.CreateAsync(fid, "notes", 0x1A4, StyxOpenMode.Write);
        await glenda.Client.ClunkAsync(fid);
        Assert.Equal("glenda", (await glenda.WithFidAsync("notes", f => glenda.Client.StatAsync(f))).Uid);
        Assert.Equal(Errno.EACCES, await ErrnoOf(() => bob.WithFidAsync("notes", f => bob.Client.OpenAsync(f, StyxOpenMode.Write))));
        await glenda.WithFidAsync("notes", f => glenda.Client.OpenAsync(f, StyxOpenMode.Write));
    }

    [Fact]
    public async Task Permissions_apply_to_the_user_attaching_through_a_namespace()
    {
        var fs = new RamFileSystem();
        var ns = new Namespace();
        ns.Mount("/tmp", fs);
        await using var h = RamHarness.Start(fs, ns);
        var alice = await h.AttachAsync(1000);
        var bob = await h.AttachAsync(1001);
        await alice.CreateAsync("tmp/private", 0x180);
        await alice.WriteAsync("tmp/private", "mine"u8.ToArray());
        Assert.Equal(1000u, (await bob.StatAsync("tmp/private")).Uid);
        Assert.Equal(Errno.EACCES, await ErrnoOf(() => bob.ReadAsync("tmp/private")));
        Assert.Equal(Errno.EPERM, await ErrnoOf(() => bob.UnlinkAsync("tmp/private")));
        Assert.Equal("mine"u8.ToArray(), await alice.ReadAsync("tmp/private"));

        var hostView = await ns.WalkAsync("/tmp/private", new AttachRequest("", "", 1001), CancellationToken.None);
        await Assert.ThrowsAsync<StyxErrorException>(() => hostView.OpenAsync(new OpenOptions(OpenAccess.Read), CancellationToken.None).AsTask());
    }
}
