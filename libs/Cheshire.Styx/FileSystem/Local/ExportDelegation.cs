using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Cheshire.Styx.FileSystem.Local;

/// <summary>
/// Hands an export to another process of the same user as a capability instead of relaying its 9P: over a Unix
/// socket, the taker sends the export's attach name on one line; the owner answers one line of JSON —
/// <c>{"description":"export /home/alice","readOnly":false}</c> with an O_PATH descriptor of the export's root attached
/// (SCM_RIGHTS), or <c>{"error":"…"}</c> — and closes. The taker serves a <see cref="LocalFileSystem"/> over that
/// descriptor, confined beneath it by the kernel as the owner's would be. Each side checks that the other runs as its
/// own uid (SO_PEERCRED).
/// </summary>
public static class ExportDelegation
{
    /// <summary>The longest request or reply line, newline included.</summary>
    public const int MaxLine = 4096;

    /// <summary>How long one exchange may take, connect included.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Asks the owner listening on <paramref name="socketPath"/> for the export attached as <paramref name="aname"/>.</summary>
    /// <exception cref="ExportDelegationException">The owner could not be reached, refused, or answered something else.</exception>
    public static async Task<DelegatedExport> RequestAsync(string socketPath, string aname, CancellationToken ct)
    {
        string where = $"unix!{socketPath}";
        if (aname.Length == 0 || aname.Contains('\n') || Encoding.UTF8.GetByteCount(aname) >= MaxLine)
            throw new ExportDelegationException($"'{aname}' is not an attach name that can be asked for (one line, under {MaxLine} bytes).");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), timeout.Token);
        }
        catch (SocketException e)
        {
            throw new ExportDelegationException($"cannot reach {where}: {e.Message}", e,
                unreachable: e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.TryAgain);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ExportDelegationException($"{where} did not accept within {Timeout.TotalSeconds:0} s", unreachable: true);
        }
        uint peer = UnixRights.PeerUid(socket), own = UnixRights.OwnUid;
        if (peer != own)
            throw new ExportDelegationException($"{where} is served by uid {peer}, not by this process's uid {own}: its descriptors are not taken.");

        SafeFileHandle? root = null;
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(aname + "\n"), SocketFlags.None, timeout.Token);
            string line;
            try
            {
                (line, root) = await ReadLineAsync(socket, timeout.Token);
            }
            catch (ExportDelegationException e)
            {
                throw new ExportDelegationException($"{where} answered badly for {aname}: {e.Message}", e);
            }
            var reply = ParseReply(line, where);
            if (reply.Error is { } error)
                throw new ExportDelegationException($"{where} refused {aname}: {error}");
            if (root is null)
                throw new ExportDelegationException($"{where} granted {aname} but sent no descriptor.");
            var handed = root;
            root = null; // the file system owns it from here
            // statx and probes of the root: off a socket's event thread, the root may be a hung mount.
            var export = await Task.Run(() => LocalFileSystem.FromDescriptor(handed, reply.Description!, new LocalOptions { ReadOnly = reply.ReadOnly }), ct);
            return new DelegatedExport(export, reply.Description!);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ExportDelegationException($"{where} did not answer for {aname} within {Timeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is SocketException or IOException and not ExportDelegationException)
        {
            throw new ExportDelegationException($"{where} failed while handing over {aname}: {e.Message}", e);
        }
        finally
        {
            root?.Dispose();
        }
    }

    /// <summary>
    /// Answers one taker on <paramref name="connection"/>: checks its uid, reads the attach name and sends what
    /// <paramref name="decide"/> says. Returns null when a descriptor was handed over, otherwise the error the taker was sent.
    /// </summary>
    public static async Task<string?> ServeAsync(Socket connection, Func<string, ExportGrant> decide, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        uint peer = UnixRights.PeerUid(connection), own = UnixRights.OwnUid;
        // Another user is told so only after its request is read: closing on unread data would reset the connection
        // before it could read why.
        string? wrongUser = peer == own ? null : $"uid {peer} may not take exports; only this node's user (uid {own}) may.";
        string aname;
        try
        {
            var (line, stray) = await ReadLineAsync(connection, timeout.Token);
            if (wrongUser is not null)
            {
                stray?.Dispose();
                return Refuse(connection, wrongUser);
            }
            if (stray is not null)
            {
                stray.Dispose();
                return Refuse(connection, "bad request: a request carries no descriptor.");
            }
            aname = line;
        }
        catch (ExportDelegationException e)
        {
            DiscardUnread(connection);
            return Refuse(connection, wrongUser ?? "bad request: " + e.Message);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Refuse(connection, wrongUser ?? $"bad request: no attach name within {Timeout.TotalSeconds:0} s.");
        }
        if (!aname.StartsWith('/') || aname.Any(char.IsControl))
            return Refuse(connection, $"bad request: '{Printable(aname)}' is not an attach name (an absolute path such as /home/music).");

        var grant = decide(aname);
        if (grant.Export is null) return Refuse(connection, grant.Refusal ?? $"{aname} is not delegated.");
        System.Runtime.InteropServices.SafeHandle root;
        try
        {
            root = grant.Export.DuplicateRoot();
        }
        catch (Protocol.StyxErrorException e)
        {
            return Refuse(connection, $"{aname} cannot be opened: {e.Message}"); // e.g. closed by a change a moment ago
        }
        using var owned = root;
        Send(connection, writer =>
        {
            writer.WriteString("description", grant.Description);
            writer.WriteBoolean("readOnly", grant.Export.Options.ReadOnly);
        }, root);
        return null;
    }

    /// <summary>Reads away what the taker sent past the line: a Unix socket closed with unread data resets the peer, who would then miss the error.</summary>
    private static void DiscardUnread(Socket connection)
    {
        var buffer = new byte[MaxLine];
        for (int total = 0; total < 16 * MaxLine && connection.Available > 0;)
        {
            var (count, stray) = UnixRights.Receive(connection, buffer);
            stray?.Dispose();
            if (count <= 0) return;
            total += count;
        }
    }

    private static string Refuse(Socket connection, string error)
    {
        try
        {
            Send(connection, writer => writer.WriteString("error", error), null);
        }
        catch (IOException)
        {
            // the taker is gone; the refusal is still logged by the caller
        }
        return error;
    }

    private static void Send(Socket connection, Action<Utf8JsonWriter> write, System.Runtime.InteropServices.SafeHandle? descriptor)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        UnixRights.Send(connection, [.. buffer.WrittenSpan, (byte)'\n'], descriptor);
    }

    /// <summary>One line (without its newline) and the descriptor that came with it; anything after the line is an error.</summary>
    private static async Task<(string Line, SafeFileHandle? Descriptor)> ReadLineAsync(Socket socket, CancellationToken ct)
    {
        var buffer = new byte[MaxLine];
        int length = 0;
        SafeFileHandle? descriptor = null;
        try
        {
            while (true)
            {
                var (count, received) = UnixRights.Receive(socket, buffer.AsSpan(length));
                if (received is not null)
                {
                    if (descriptor is not null)
                    {
                        received.Dispose();
                        throw new ExportDelegationException("more than one descriptor was sent.");
                    }
                    descriptor = received;
                }
                if (count < 0)
                {
                    await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, ct); // waits until there is something to read
                    continue;
                }
                if (count == 0)
                    throw new ExportDelegationException(length == 0 ? "the connection closed without a line." : "the connection closed in the middle of a line.");
                int newline = Array.IndexOf(buffer, (byte)'\n', length, count);
                length += count;
                if (newline >= 0)
                {
                    if (newline != length - 1) throw new ExportDelegationException("more than one line was sent.");
                    string line;
                    try
                    {
                        line = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, newline);
                    }
                    catch (DecoderFallbackException)
                    {
                        throw new ExportDelegationException("the line is not UTF-8.");
                    }
                    var result = (line, descriptor);
                    descriptor = null;
                    return result;
                }
                if (length == MaxLine) throw new ExportDelegationException($"no line ends within {MaxLine} bytes.");
            }
        }
        finally
        {
            descriptor?.Dispose();
        }
    }

    private sealed record Reply(string? Error, string? Description, bool ReadOnly);

    private static Reply ParseReply(string line, string where)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
                return new Reply(error.GetString(), null, false);
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String
                && root.TryGetProperty("readOnly", out var readOnly) && readOnly.ValueKind is JsonValueKind.True or JsonValueKind.False
                && description.GetString() is { Length: > 0 } text && !text.Any(char.IsControl))
                return new Reply(null, text, readOnly.GetBoolean());
        }
        catch (JsonException)
        {
        }
        throw new ExportDelegationException($"{where} answered something other than a grant or an error: '{Printable(line)}'.");
    }

    private static string Printable(string text)
    {
        var shown = text.Length > 80 ? text[..80] + "…" : text;
        return new string(shown.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }
}

/// <summary>An export taken over from its owner: the tree to serve and how the owner describes it ("export /home/alice").</summary>
public sealed record DelegatedExport(LocalFileSystem FileSystem, string Description);

/// <summary>What the owner answers for one attach name: the export to hand over, or why not.</summary>
public sealed record ExportGrant
{
    public LocalFileSystem? Export { get; private init; }
    public string Description { get; private init; } = "";
    public string? Refusal { get; private init; }

    public static ExportGrant Grant(LocalFileSystem export, string description) => new() { Export = export, Description = description };

    public static ExportGrant Refuse(string reason) => new() { Refusal = reason };
}

/// <summary>An export could not be taken over; <see cref="Unreachable"/>: its owner was not listening (yet).</summary>
public sealed class ExportDelegationException(string message, Exception? inner = null, bool unreachable = false) : IOException(message, inner)
{
    public bool Unreachable { get; } = unreachable;
}
