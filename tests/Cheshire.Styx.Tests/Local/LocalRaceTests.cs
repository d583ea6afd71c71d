using System.Runtime.CompilerServices;
using Cheshire.Styx.FileSystem.Local;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Tests.Namespaces;

namespace Cheshire.Styx.Tests.Local;

/// <summary>
/// A host thread swaps a subdirectory of the export and a symlink to an outside directory back and forth
/// (renameat2 RENAME_EXCHANGE) while a client walks, opens, reads, writes, creates and chmods through that path.
/// Nothing outside is ever read, created or changed.
/// </summary>
public sealed class LocalRaceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(2);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Swapping_a_directory_for_a_symlink_out_never_leaks(bool useOpenat2)
    {
        await using var export = LocalExport.Start(useOpenat2: useOpenat2);
        Directory.CreateDirectory(export.HostPath("sub"));
        await File.WriteAllTextAsync(export.HostPath("sub/file"), "inside");
        await File.WriteAllTextAsync(Path.Combine(export.Outside, "file"), "SECRET");
        File.CreateSymbolicLink(export.HostPath("alt"), export.Outside);
        string before = export.OutsideSnapshot();
        await using var c = await export.ConnectAsync();

        using var stop = new CancellationTokenSource(Duration);
        int swaps = 0;
        var swapper = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Assert.Equal(0, LibC.renameat2(LibC.AT_FDCWD, export.HostPath("sub"), LibC.AT_FDCWD, export.HostPath("alt"), LibC.RENAME_EXCHANGE));
                swaps++;
            }
        }, TaskCreationOptions.LongRunning);

        // done, refused by the server's walk (the symlink is not a directory), refused by the kernel after a walk
        var counts = new int[3];
        var workers = Enumerable.Range(0, 6).Select(worker => Task.Run(async () =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                var walked = new StrongBox<bool>();
                bool done = await TryAsync(() => OperationAsync(c, worker, i, walked));
                Interlocked.Increment(ref counts[done ? 0 : walked.Value ? 2 : 1]);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        await swapper;
        output.WriteLine($"{swaps} swaps; {counts[0]} operations done inside, {counts[1]} refused at the walk, {counts[2]} refused after it");

        Assert.Equal(before, export.OutsideSnapshot());
        Assert.True(counts[0] > 50 && counts[2] > 50, $"{counts[0]} done, {counts[2]} refused after a walk: the race was not exercised");
        // What was created landed in the real subdirectory, wherever the swaps left it.
        string real = new FileInfo(export.HostPath("sub")).LinkTarget is null
            ? export.HostPath("sub") : export.HostPath("alt");
        Assert.Equal("inside", File.ReadAllText(Path.Combine(real, "file")));
    }

    /// <summary>One walk-then-act round trip through "sub"; each worker does its own kind.</summary>
    private static async Task OperationAsync(NinePClient c, int worker, int i, StrongBox<bool> walked)
    {
        var client = c.Client;
        Task<uint> WalkAsync(params string[] names) => WalkThenMarkAsync(c, walked, names);
        switch (worker)
        {
            case 0:
            {
                var fid = await WalkAsync("sub", "file");
                await client.LopenAsync(fid, LinuxOpenFlags.ReadOnly);
                var text = System.Text.Encoding.UTF8.GetString(await client.ReadAllAsync(fid));
                await client.ClunkAsync(fid);
                Assert.Equal("inside", text);
                break;
            }
            case 1:
            {
                var fid = await WalkAsync("sub");
                await client.LcreateAsync(fid, $"new-{i}", LinuxOpenFlags.WriteOnly, 0x1A4);
                await client.WriteAllAsync(fid, 0, "created"u8.ToArray());
                await client.ClunkAsync(fid);
                break;
            }
            case 2:
            {
                var fid = await WalkAsync("sub", "file");
                await client.LopenAsync(fid, LinuxOpenFlags.WriteOnly);
                await client.WriteAllAsync(fid, 0, "inside"u8.ToArray());
                await client.ClunkAsync(fid);
                break;
            }
            case 3:
            {
                var fid = await WalkAsync("sub");
                await client.MkdirAsync(fid, $"dir-{i}", 0x1ED);
                await client.ClunkAsync(fid);
                break;
            }
            case 4:
            {
                var fid = await WalkAsync("sub", "file");
                await client.SetattrAsync(new Tsetattr(0, fid, SetattrMask.Mode | SetattrMask.Mtime, 0x1B6, 0, 0, 0, 0, 0, 0, 0));
                await client.ClunkAsync(fid);
                break;
            }
            default:
            {
                var dir = await WalkAsync("sub");
                var fid = client.NewFid();
                await client.WalkAsync(dir, fid, ["file"]);
                await client.ClunkAsync(dir);
                await client.LopenAsync(fid, LinuxOpenFlags.ReadOnly);
                var text = System.Text.Encoding.UTF8.GetString(await client.ReadAllAsync(fid));
                await client.ClunkAsync(fid);
                Assert.Equal("inside", text);
                break;
            }
        }
    }

    private static async Task<uint> WalkThenMarkAsync(NinePClient c, StrongBox<bool> walked, string[] names)
    {
        var fid = c.Client.NewFid();
        if ((await c.Client.WalkAsync(c.Root, fid, names)).Count < names.Length) throw new StyxErrorException(Errno.ENOENT);
        walked.Value = true;
        return fid;
    }

    /// <summary>True when the operation went through; false when the server refused it (fids it left open are abandoned).</summary>
    private static async Task<bool> TryAsync(Func<Task> operation)
    {
        try
        {
            await operation();
            return true;
        }
        catch (StyxErrorException)
        {
            return false;
        }
    }
}
