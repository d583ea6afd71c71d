using System.Text;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Tests.Local;

/// <summary>The export through 9P2000 and 9P2000.u: create, write, stat/wstat, directory reads, remove.</summary>
public sealed class LocalDialectTests
{
    [Theory]
    [InlineData(DialectNames.Styx2000)]
    [InlineData(DialectNames.Unix)]
    public async Task Files_work_through_stat_and_wstat(string version)
    {
        await using var export = LocalExport.Start();
        await using var c = await export.ConnectAsync(version);
        var client = c.Client;
        var d = await c.WalkAsync("");
        await client.CreateAsync(d, "d", StyxMode.Directory | 0x1ED, StyxOpenMode.Read);
        await client.ClunkAsync(d);
        Assert.True(Directory.Exists(export.HostPath("d")));

        var f = await c.WalkAsync("/d");
        await client.CreateAsync(f, "f", 0x1A4, StyxOpenMode.ReadWrite);
        await client.WriteAllAsync(f, 0, "hello"u8.ToArray());
        Assert.Equal("hello", Encoding.UTF8.GetString(await client.ReadAllAsync(f)));
        await client.ClunkAsync(f);

        var stat = await c.WithFidAsync("/d/f", fid => client.StatAsync(fid));
        Assert.Equal(("f", 5ul, 0x1A4u), (stat.Name, stat.Length, stat.Mode));
        var host = LocalExport.HostStat(export.HostPath("d/f"));
        Assert.Equal(host.Inode, stat.Qid.Path);
        if (client.Dialect == Dialect.Unix) Assert.Equal((host.Uid, host.Gid), (stat.NUid, stat.NGid));

        await c.WithFidAsync("/d/f", async fid =>
        {
            await client.WstatAsync(fid, StatEntry.DontTouch with { Name = "g", Mode = 0x180, Mtime = 1_400_000_000 });
            return 0;
        });
        Assert.False(File.Exists(export.HostPath("d/f")));
        host = LocalExport.HostStat(export.HostPath("d/g"));
        Assert.Equal((0x180, 1_400_000_000L), (host.Mode & 0xFFF, host.ModifyTime.Seconds));

        if (client.Dialect == Dialect.Unix)
        {
            var l = await c.WalkAsync("/d");
            await client.CreateAsync(l, "l", StyxMode.Symlink | 0x1FF, StyxOpenMode.Read, extension: "g");
            await client.ClunkAsync(l);
            Assert.Equal("g", new FileInfo(export.HostPath("d/l")).LinkTarget);
            Assert.Equal("g", (await c.WithFidAsync("/d/l", fid => client.StatAsync(fid))).Extension);
        }

        var dir = await c.WalkAsync("/d");
        await client.OpenAsync(dir, StyxOpenMode.Read);
        var names = StatEntry.ReadDirectory(await client.ReadAllAsync(dir), client.Dialect).Select(s => s.Name).Order();
        Assert.Equal(client.Dialect == Dialect.Unix ? ["g", "l"] : ["g"], names);
        await client.ClunkAsync(dir);

        var g = await c.WalkAsync("/d/g");
        await client.RemoveAsync(g);
        Assert.False(File.Exists(export.HostPath("d/g")));
    }
}
