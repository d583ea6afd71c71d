using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Cheshire.Styx.Client;
using Cheshire.Testing;

namespace Cheshire.StyxProvider.Tests;

/// <summary>
/// With 9P served on the sockets' own thread (Provider:InlineIo), a read that blocks in the kernel on one export must
/// not stall the other connections: the export leaves the thread before any call that may block. The blocking read is a
/// real one: a fifo whose writer is open but writes nothing, so the provider's read waits in the kernel's pipe_read.
/// </summary>
public sealed class InlineIoSafetyTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AReadBlockedInTheKernelOnOneExportDoesNotStallAnotherConnectionsCachedRead()
    {
        var slow = ModuleProcess.NewTempDirectory("slow-export");
        var fast = ModuleProcess.NewTempDirectory("fast-export");
        var fifo = Path.Combine(slow, "pipe");
        Assert.True(mkfifo(fifo, 0x1B6) == 0, $"mkfifo failed: errno {Marshal.GetLastPInvokeError()}");
        await File.WriteAllTextAsync(Path.Combine(fast, "cached.txt"), "served while the other export is blocked", Ct);
        // Held open for writing (and never written until the end) so the provider's read blocks instead of seeing EOF.
        using var writer = File.OpenHandle(fifo, FileMode.Open, FileAccess.ReadWrite);

        var data = ModuleProcess.NewTempDirectory("provider");
        await File.WriteAllTextAsync(Path.Combine(data, "exports.json"), $$"""
            {
              "/slow": { "server": "export", "root": {{JsonSerializer.Serialize(slow)}} },
              "/fast": { "server": "export", "root": {{JsonSerializer.Serialize(fast)}} }
            }
            """, Ct);
        int port = FreePorts.Tcp();
        await using var provider = ModuleProcess.Start(ModuleProcess.ModuleDll("styx-provider", "Cheshire.StyxProvider"),
            new Dictionary<string, string>
            {
                ["Provider:MountInNamespace"] = "false",
                ["Provider:Endpoint"] = $"127.0.0.1:{port}",
                ["Provider:InlineIo"] = "true",
            }, data);
        await provider.WaitHealthyAsync(Bound, Ct);

        await using var blocked = await MountAsync(port, "/slow");
        var blockedRead = blocked.ReadTextAsync("pipe", Ct);
        await Eventually.TrueAsync(() => Task.FromResult(ThreadsInPipeRead(provider.ProcessId) > 0), Bound,
            "a provider thread blocked reading the fifo", Ct);
        Assert.False(blockedRead.IsCompleted, "the fifo read finished without data");

        // New connections, one after another, read a cached file of the other export. The socket engine has one event
        // thread per core with inline I/O and deals new sockets out in turn, so some of these share the blocked one's thread.
        var others = Task.Run(async () =>
        {
            for (int i = 0; i < 2 * Environment.ProcessorCount + 2; i++)
            {
                await using var other = await MountAsync(port, "/fast");
                Assert.Equal("served while the other export is blocked", await other.ReadTextAsync("cached.txt", Ct));
            }
        }, Ct);
        var finished = await Task.WhenAny(others, Task.Delay(TimeSpan.FromSeconds(10), Ct));
        Assert.True(finished == others, "another connection's read stalled while the fifo read was blocked");
        await others;
        Assert.False(blockedRead.IsCompleted, "the fifo read finished without data");

        // The blocked read is still served: it gets what is written, and EOF once the writer closes.
        var payload = Encoding.UTF8.GetBytes("finally");
        using (var stream = new FileStream(writer, FileAccess.ReadWrite, bufferSize: 0))
        {
            stream.Write(payload);
        }
        Assert.Equal("finally", await blockedRead.WaitAsync(Bound, Ct));
    }

    private static async Task<StyxFs> MountAsync(int port, string aname)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(IPAddress.Loopback, port, Ct);
        return await StyxFs.MountAsync(tcp.GetStream(), "root", aname, nUname: 0, ct: Ct);
    }

    /// <summary>How many of the process's threads wait in the kernel's pipe read (wchan "pipe_read" or "anon_pipe_read").</summary>
    private static int ThreadsInPipeRead(int pid)
    {
        int count = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "wchan")).Contains("pipe_read", StringComparison.Ordinal)) count++;
            }
            catch (IOException)
            {
                // the thread ended meanwhile
            }
        }
        return count;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);
}
