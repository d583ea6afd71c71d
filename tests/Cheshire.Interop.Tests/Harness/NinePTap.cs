using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cheshire.Interop.Tests.Harness;

/// <summary>
/// A relay on 127.0.0.1 in front of a 9P server that records every message (type, tag and the main
/// fields), so a failing guest check can be matched with the exact 9P exchange. Bytes are passed
/// through unchanged.
/// </summary>
public sealed class NinePTap : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _target;
    private readonly List<string> _log = [];
    private readonly List<string> _errors = [];
    private readonly Dictionary<(int Connection, ushort Tag), string> _pending = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private int _connections;

    public NinePTap(int targetPort)
    {
        _target = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accept = AcceptAsync();
    }

    public int Port { get; }

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_log)
            {
                return [.. _log];
            }
        }
    }

    /// <summary>The last <paramref name="max"/> messages, one a line.</summary>
    public string Describe(int max = 150)
    {
        var all = Messages;
        var shown = all.Count > max ? all.Skip(all.Count - max) : all;
        var errors = Errors;
        return $"9P error replies ({errors.Count}; first 100, each after its request):\n" +
               string.Join('\n', errors.Take(100)) + "\n" +
               $"9P messages through the tap ({all.Count} total, last {Math.Min(max, all.Count)}; cN = connection, > client to server, < server to client):\n" +
               string.Join('\n', shown);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            var id = Interlocked.Increment(ref _connections);
            _ = Task.Run(() => RelayAsync(client, id));
        }
    }

    private async Task RelayAsync(TcpClient client, int id)
    {
        using var c = client;
        using var server = new TcpClient { NoDelay = true };
        c.NoDelay = true;
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
        }
        catch (Exception e)
        {
            Add($"c{id} cannot connect to 127.0.0.1:{_target}: {e.Message}");
            return;
        }
        Add($"c{id} connected");
        var up = PumpAsync(c.GetStream(), server.GetStream(), $"c{id} >", id);
        var down = PumpAsync(server.GetStream(), c.GetStream(), $"c{id} <", id);
        await Task.WhenAny(up, down);
        Add($"c{id} closed by the {(up.IsCompleted ? "client" : "server")}");
        c.Close();
        server.Close();
        await Task.WhenAll(up, down).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, string prefix, int connection)
    {
        var pending = new List<byte>();
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReadAsync(buffer, _stop.Token);
                if (n == 0)
                {
                    return;
                }
                await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
                pending.AddRange(buffer.AsSpan(0, n));
                while (pending.Count >= 4)
                {
                    var size = BinaryPrimitives.ReadUInt32LittleEndian([.. pending.GetRange(0, 4)]);
                    if (size < 7 || size > 16 << 20)
                    {
                        Add($"{prefix} unframed data (size field {size}); not decoding this direction any further");
                        pending.Clear();
                        pending = null!;
                        await CopyRestAsync(from, to, buffer);
                        return;
                    }
                    if (pending.Count < size)
                    {
                        break;
                    }
                    Record(connection, prefix, pending.GetRange(0, (int)size).ToArray());
                    pending.RemoveRange(0, (int)size);
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task CopyRestAsync(NetworkStream from, NetworkStream to, byte[] buffer)
    {
        int n;
        while ((n = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
        }
    }

    private void Record(int connection, string prefix, byte[] message)
    {
        var text = prefix + " " + Decode(message);
        var key = (connection, BinaryPrimitives.ReadUInt16LittleEndian(message.AsSpan(5)));
        lock (_log)
        {
            _log.Add(text);
            if (message[4] % 2 == 0)
            {
                _pending[key] = text;
            }
            else if (_pending.Remove(key, out var request) && message[4] is 7 or 107)
            {
                _errors.Add(request + "\n      " + text);
            }
        }
    }

    /// <summary>Every error reply with the request it answers.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_log)
            {
                return [.. _errors];
            }
        }
    }

    private void Add(string line)
    {
        lock (_log)
        {
            _log.Add(line);
        }
    }

    private static readonly Dictionary<int, string> Names = new()
    {
        [6] = "Tlerror", [8] = "Tstatfs", [12] = "Tlopen", [14] = "Tlcreate", [16] = "Tsymlink", [18] = "Tmknod",
        [20] = "Trename", [22] = "Treadlink", [24] = "Tgetattr", [26] = "Tsetattr", [30] = "Txattrwalk",
        [32] = "Txattrcreate", [40] = "Treaddir", [50] = "Tfsync", [52] = "Tlock", [54] = "Tgetlock", [70] = "Tlink",
        [72] = "Tmkdir", [74] = "Trenameat", [76] = "Tunlinkat", [100] = "Tversion", [102] = "Tauth", [104] = "Tattach",
        [106] = "Terror", [108] = "Tflush", [110] = "Twalk", [112] = "Topen", [114] = "Tcreate", [116] = "Tread",
        [118] = "Twrite", [120] = "Tclunk", [122] = "Tremove", [124] = "Tstat", [126] = "Twstat",
    };

    /// <summary>"Twalk tag 3 fid 1 newfid 2 ['tmp','x']" and the like.</summary>
    public static string Decode(byte[] m)
    {
        int type = m[4];
        var tag = BinaryPrimitives.ReadUInt16LittleEndian(m.AsSpan(5));
        var name = Names.TryGetValue(type & ~1, out var t) ? (type % 2 == 0 ? t : "R" + t[1..]) : $"type{type}";
        var sb = new StringBuilder($"{name} tag {tag} size {m.Length}");
        try
        {
            var p = 7;
            uint U32() { var v = BinaryPrimitives.ReadUInt32LittleEndian(m.AsSpan(p)); p += 4; return v; }
            ulong U64() { var v = BinaryPrimitives.ReadUInt64LittleEndian(m.AsSpan(p)); p += 8; return v; }
            ushort U16() { var v = BinaryPrimitives.ReadUInt16LittleEndian(m.AsSpan(p)); p += 2; return v; }
            string Str() { var n = U16(); var s = Encoding.UTF8.GetString(m, p, n); p += n; return s; }
            switch (type)
            {
                case 100 or 101: sb.Append($" msize {U32()} version '{Str()}'"); break;
                case 104: sb.Append($" fid {U32()} afid {(int)U32()} uname '{Str()}' aname '{Str()}'"); break;
                case 7: { var e = U32(); sb.Append($" ecode {e} ({Errno((int)e)})"); break; }
                case 107: sb.Append($" ename '{Str()}'"); if (p + 4 <= m.Length) { sb.Append($" errno {U32()}"); } break;
                case 108: sb.Append($" oldtag {U16()}"); break;
                case 110:
                    {
                        sb.Append($" fid {U32()} newfid {U32()}");
                        var n = U16();
                        var names = new List<string>();
                        for (var i = 0; i < n; i++) { names.Add(Str()); }
                        sb.Append(" [" + string.Join(", ", names.Select(x => $"'{x}'")) + "]");
                        break;
                    }
                case 111: sb.Append($" nwqid {U16()}"); break;
                case 12: sb.Append($" fid {U32()} flags 0x{U32():x}"); break;
                case 112: sb.Append($" fid {U32()} mode {m[p]}"); break;
                case 14: sb.Append($" fid {U32()} name '{Str()}' flags 0x{U32():x} mode {Convert.ToString(U32(), 8)}"); break;
                case 114: sb.Append($" fid {U32()} name '{Str()}' perm 0x{U32():x}"); break;
                case 72: sb.Append($" dfid {U32()} name '{Str()}' mode {Convert.ToString(U32(), 8)}"); break;
                case 74: sb.Append($" olddirfid {U32()} '{Str()}' newdirfid {U32()} '{Str()}'"); break;
                case 20: sb.Append($" fid {U32()} dfid {U32()} name '{Str()}'"); break;
                case 76: sb.Append($" dirfid {U32()} name '{Str()}' flags 0x{U32():x}"); break;
                case 116 or 40: sb.Append($" fid {U32()} offset {U64()} count {U32()}"); break;
                case 117 or 41 or 119: sb.Append($" count {U32()}"); break;
                case 118: sb.Append($" fid {U32()} offset {U64()} count {U32()}"); break;
                case 120 or 122 or 124 or 50: sb.Append($" fid {U32()}"); break;
                case 24: sb.Append($" fid {U32()} mask 0x{U64():x}"); break;
                case 26: sb.Append($" fid {U32()} valid 0x{U32():x} mode {Convert.ToString(U32(), 8)} uid {U32()} gid {U32()} size {U64()}"); break;
                case 25: sb.Append($" valid 0x{U64():x} qid.type {m[p]} "); p += 13; sb.Append($"mode {Convert.ToString(U32(), 8)} uid {U32()} gid {U32()} nlink {U64()} rdev {U64()} size {U64()}"); break;
                case 126: sb.Append($" fid {U32()}"); break;
            }
        }
        catch (ArgumentOutOfRangeException)
        {
            sb.Append(" (truncated)");
        }
        return sb.ToString();
    }

    private static string Errno(int e) => e switch
    {
        1 => "EPERM", 2 => "ENOENT", 5 => "EIO", 9 => "EBADF", 12 => "ENOMEM", 13 => "EACCES", 16 => "EBUSY",
        17 => "EEXIST", 18 => "EXDEV", 20 => "ENOTDIR", 21 => "EISDIR", 22 => "EINVAL", 27 => "EFBIG", 28 => "ENOSPC",
        30 => "EROFS", 36 => "ENAMETOOLONG", 38 => "ENOSYS", 39 => "ENOTEMPTY", 61 => "ENODATA", 71 => "EPROTO",
        95 => "EOPNOTSUPP", _ => "errno " + e,
    };

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accept.ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }
}
