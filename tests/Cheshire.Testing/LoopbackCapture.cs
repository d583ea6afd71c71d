using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Cheshire.Testing;

/// <summary>
/// A real packet capture (Wireshark's dumpcap) of one TCP port on the loopback interface, whole packets as pcapng.
/// dumpcap writes to a pipe, which it flushes per packet, so the capture's bounds are exact without sleeping: a UDP
/// datagram to a free port, also matched by the filter, is sent until dumpcap has written it, once when starting
/// (the filter is live) and once when stopping (every packet before it was written).
/// </summary>
public sealed class LoopbackCapture : IAsyncDisposable
{
    /// <summary>Points at another dumpcap binary.</summary>
    public const string DumpcapVariable = "CHESHIRE_DUMPCAP";

    private readonly Process _process;
    private readonly MemoryStream _captured = new();
    private readonly StringBuilder _errors = new();
    private readonly Task _pump;
    private readonly int _sentinelPort = FreePorts.Udp();

    private LoopbackCapture(string dumpcap, int tcpPort)
    {
        var info = new ProcessStartInfo(dumpcap) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-i", "lo", "-f", $"tcp port {tcpPort} or udp port {_sentinelPort}", "-w", "-", "-q" })
            info.ArgumentList.Add(argument);
        _process = Process.Start(info)!;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (_errors) _errors.AppendLine(e.Data);
        };
        _process.BeginErrorReadLine();
        _pump = PumpAsync();
    }

    /// <summary>dumpcap's path ($CHESHIRE_DUMPCAP, else the first on PATH), or null when it is not installed.</summary>
    public static string? Dumpcap
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable(DumpcapVariable);
            if (!string.IsNullOrEmpty(configured)) return File.Exists(configured) ? configured : null;
            return (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/usr/sbin").Split(':')
                .Select(dir => Path.Combine(dir, "dumpcap")).FirstOrDefault(File.Exists);
        }
    }

    /// <summary>What dumpcap wrote so far: the pcapng capture.</summary>
    public byte[] Bytes
    {
        get { lock (_captured) return _captured.ToArray(); }
    }

    /// <summary>Starts capturing TCP <paramref name="tcpPort"/> on lo; returns once the capture is live.</summary>
    public static async Task<LoopbackCapture> StartAsync(string dumpcap, int tcpPort, TimeSpan bound, CancellationToken ct)
    {
        var capture = new LoopbackCapture(dumpcap, tcpPort);
        try
        {
            await capture.MarkAsync("start", bound, ct);
            return capture;
        }
        catch
        {
            await capture.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the capture once every packet sent so far is in it; returns the capture.</summary>
    public async Task<byte[]> StopAsync(TimeSpan bound, CancellationToken ct)
    {
        await MarkAsync("stop", bound, ct);
        await StopProcessAsync();
        return Bytes;
    }

    private async Task MarkAsync(string what, TimeSpan bound, CancellationToken ct)
    {
        var mark = Encoding.ASCII.GetBytes($"cheshire-capture-{what}-{Guid.NewGuid():N}");
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        await Eventually.TrueAsync(async () =>
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"dumpcap exited with {_process.ExitCode}: {Errors}");
            await udp.SendAsync(mark, new IPEndPoint(IPAddress.Loopback, _sentinelPort), ct);
            return Contains(Bytes, mark);
        }, bound, $"dumpcap capturing on lo (its {what} mark written); dumpcap said: {Errors}", ct);
    }

    /// <summary>dumpcap's messages (stderr).</summary>
    public string Errors
    {
        get { lock (_errors) return _errors.ToString(); }
    }

    /// <summary>Whether <paramref name="needle"/> occurs in <paramref name="haystack"/>.</summary>
    public static bool Contains(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle) => haystack.IndexOf(needle) >= 0;

    private async Task PumpAsync()
    {
        var buffer = new byte[64 * 1024];
        var output = _process.StandardOutput.BaseStream;
        int read;
        while ((read = await output.ReadAsync(buffer)) > 0)
            lock (_captured) _captured.Write(buffer, 0, read);
    }

    private async Task StopProcessAsync()
    {
        // SIGINT: dumpcap writes its closing blocks and exits.
        if (!_process.HasExited) _ = kill(_process.Id, 2);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        await _pump;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        await StopProcessAsync();
        _process.Dispose();
    }
}
