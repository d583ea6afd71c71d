using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Cheshire.Testing;

namespace Cheshire.MainlineDht.Tests.Interop;

/// <summary>
/// A real DHT peer in its own process: libtorrent (lt_peer.py under /usr/bin/python3) or bittorrent-dht
/// (bt_peer.mjs under node, from the repository's node_modules). One JSON command per line in, one reply per line out.
/// </summary>
public sealed class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<JsonObject> _replies = Channel.CreateUnbounded<JsonObject>();
    private readonly StringBuilder _log = new();
    private int _nextId;

    private PeerProcess(string kind, Process process, int port)
    {
        Kind = kind;
        _process = process;
        Port = port;
    }

    public string Kind { get; }
    public int Port { get; }
    public string EndPoint => $"127.0.0.1:{Port}";
    public string Log { get { lock (_log) return _log.ToString(); } }

    public static Task<PeerProcess> LibtorrentAsync(CancellationToken ct) =>
        StartAsync("libtorrent", "/usr/bin/python3", "lt_peer.py", ct);

    public static Task<PeerProcess> BittorrentDhtAsync(CancellationToken ct)
    {
        var modules = Path.Combine(ModuleProcess.RepositoryRoot, "node_modules", "bittorrent-dht");
        if (!Directory.Exists(modules))
            throw new InvalidOperationException($"{modules} is missing: run build/install-prerequisites.sh (npm ci).");
        return StartAsync("bittorrent-dht", "node", "bt_peer.mjs", ct);
    }

    private static async Task<PeerProcess> StartAsync(string kind, string program, string script, CancellationToken ct)
    {
        var port = FreePorts.Udp();
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // bt_peer.mjs resolves bittorrent-dht from the repository's node_modules.
            WorkingDirectory = ModuleProcess.RepositoryRoot,
            Environment = { ["NODE_PATH"] = Path.Combine(ModuleProcess.RepositoryRoot, "node_modules") },
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Interop", script));
        info.ArgumentList.Add(port.ToString());
        var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        var peer = new PeerProcess(kind, process, port);
        process.OutputDataReceived += (_, e) => peer.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (peer._log) peer._log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var ready = await peer.ReadAsync(TimeSpan.FromSeconds(20), ct);
        if (ready["ready"]?.GetValue<bool>() != true)
            throw new InvalidOperationException($"{kind} did not start: {ready}\n{peer.Log}");
        return peer;
    }

    /// <summary>Sends one command and returns its reply; a reply with "error" fails the test with the peer's log.</summary>
    public async Task<JsonObject> SendAsync(object command, CancellationToken ct, TimeSpan? timeout = null)
    {
        var json = JsonSerializer.SerializeToNode(command)!.AsObject();
        var id = Interlocked.Increment(ref _nextId);
        json["id"] = id;
        await _process.StandardInput.WriteLineAsync(json.ToJsonString().AsMemory(), ct);
        await _process.StandardInput.FlushAsync(ct);
        while (true)
        {
            var reply = await ReadAsync(timeout ?? TimeSpan.FromSeconds(40), ct);
            if (reply["id"]?.GetValue<int>() != id)
                continue;
            if (reply["error"] is { } error)
                throw new InvalidOperationException($"{Kind} failed {json}: {error}\n{Log}");
            return reply;
        }
    }

    /// <summary>Asks the peer to leave and waits until its process is gone.</summary>
    public async Task QuitAsync(CancellationToken ct)
    {
        await SendAsync(new { cmd = "quit" }, ct);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(wait.Token);
    }

    private async Task<JsonObject> ReadAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(timeout);
        try
        {
            return await _replies.Reader.ReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{Kind} did not answer within {timeout} (exited: {_process.HasExited})\n{Log}");
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
            return;
        lock (_log) _log.AppendLine(line);
        if (!line.StartsWith('{'))
            return;
        try
        {
            if (JsonNode.Parse(line) is JsonObject reply)
                _replies.Writer.TryWrite(reply);
        }
        catch (JsonException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
