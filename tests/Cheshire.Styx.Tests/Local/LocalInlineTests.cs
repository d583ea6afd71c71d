using System.Text;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.FileSystem.Local;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Tests.Local;

/// <summary>
/// The export answers what the kernel has cached on the calling thread (with inline I/O a socket's event thread) and
/// takes everything that may wait off it: a walk, open, read and close of a cached file complete synchronously; a read
/// that would block in the kernel returns at once, pending, and completes on the thread pool when data comes.
/// </summary>
public sealed class LocalInlineTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly AttachRequest Root = new("root", "", 0);

    [Fact]
    public async Task A_cached_file_is_walked_opened_read_and_closed_without_leaving_the_calling_thread()
    {
        await using var export = LocalExport.Start(prepareRoot: root =>
        {
            Directory.CreateDirectory(Path.Combine(root, "dir"));
            File.WriteAllText(Path.Combine(root, "dir", "file"), "cached");
        });
        var fs = export.FileSystem;
        if (!fs.Root.CanTryCached) Assert.Skip("the temp folder is not on a local file system with RESOLVE_CACHED (Linux 5.12+)");

        var root = Done(fs.AttachAsync(Root, None), "attach");
        var dir = Done(root.LookupAsync("dir", None), "walk to dir");
        var file = Done(dir.LookupAsync("file", None), "walk to file");
        Assert.Equal(6UL, Done(file.GetAttributesAsync(None), "getattr").Size);
        var open = Done(file.OpenAsync(new OpenOptions(OpenAccess.Read), None), "open");
        var buffer = new byte[64];
        int read = Done(open.ReadAsync(0, buffer, None), "a read of cached data");
        Assert.Equal("cached", Encoding.UTF8.GetString(buffer, 0, read));
        Assert.True(open.DisposeAsync().IsCompletedSuccessfully, "close left the thread");
    }

    /// <summary>The result of a call that must have completed on the calling thread.</summary>
    private static T Done<T>(ValueTask<T> call, string what)
    {
        Assert.True(call.IsCompletedSuccessfully, $"{what} left the thread");
        return call.GetAwaiter().GetResult();
    }

    [Fact]
    public async Task A_read_that_would_block_in_the_kernel_returns_pending_and_completes_when_data_comes()
    {
        await using var export = LocalExport.Start();
        string fifo = export.HostPath("pipe");
        Assert.Equal(0, LibC.mknodat(LibC.AT_FDCWD, fifo, UnixMode.Fifo | 0x1B6, 0));
        // A writer that writes nothing yet: a blocking read of the fifo would wait in the kernel.
        using var writer = File.OpenHandle(fifo, FileMode.Open, FileAccess.ReadWrite);
        var root = await export.FileSystem.AttachAsync(Root, None);
        await using var open = await (await root.LookupAsync("pipe", None)).OpenAsync(new OpenOptions(OpenAccess.Read), None);

        // Called on a thread of its own, so a call that blocks fails the test instead of hanging it.
        var buffer = new byte[64];
        var returned = new TaskCompletionSource<ValueTask<int>>(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() => returned.SetResult(open.ReadAsync(0, buffer, None))) { IsBackground = true }.Start();
        var first = await Task.WhenAny(returned.Task, Task.Delay(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.True(first == returned.Task, "ReadAsync blocked its caller on an empty fifo");
        var read = await returned.Task;
        Assert.False(read.IsCompleted, "a read of an empty fifo completed");

        using (var stream = new FileStream(writer, FileAccess.ReadWrite, bufferSize: 0))
            stream.Write("data"u8);
        Assert.Equal("data", Encoding.UTF8.GetString(buffer, 0, await read.AsTask().WaitAsync(TimeSpan.FromSeconds(30))));
    }

    [Fact]
    public async Task Without_openat2_nothing_is_tried_from_the_caches_and_lookups_still_answer()
    {
        await using var export = LocalExport.Start(useOpenat2: false, prepareRoot: root => File.WriteAllText(Path.Combine(root, "file"), "x"));
        Assert.False(export.FileSystem.Root.CanTryCached);
        var root = await export.FileSystem.AttachAsync(Root, None);
        var file = await root.LookupAsync("file", None);
        await using var open = await file.OpenAsync(new OpenOptions(OpenAccess.Read), None);
        var buffer = new byte[8];
        Assert.Equal(1, await open.ReadAsync(0, buffer, None));
        var missing = await Assert.ThrowsAsync<StyxErrorException>(async () => await root.LookupAsync("missing", None));
        Assert.Equal(Errno.ENOENT, missing.Errno);
    }
}
