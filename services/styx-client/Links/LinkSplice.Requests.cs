using System.Buffers;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Relay;

namespace Cheshire.StyxClient.Links;

// Link → provider: everything is copied through except Tauth (answered here) and Tattach (checked and rewritten).
public sealed partial class LinkSplice
{
    private async Task RequestsAsync(CancellationToken ct)
    {
        // msize: the old server's default until the provider's Rversion sets the negotiated one (RepliesAsync).
        var frames = _requests;
        var decoder = new StyxMessageReader(maxMessageSize: uint.MaxValue);
        try
        {
            while (true)
            {
                if (await frames.ReadHeaderAsync(ct) is not { } header) return;
                switch (header.Type)
                {
                    case MessageType.Tauth:
                        await RefuseAuthAsync(await frames.ReadAsync(frames.Remaining, ct), decoder, ct);
                        break;
                    case MessageType.Tattach:
                        // Earlier requests go out before the (possibly slow) export check.
                        await _providerOutput.FlushAsync(ct);
                        await AttachAsync(await frames.ReadAsync(frames.Remaining, ct), decoder, ct);
                        break;
                    default:
                        // A tag in use again: its attach was flushed and never answered.
                        if (!_attaches.IsEmpty) _attaches.TryRemove(header.Tag, out _);
                        await frames.CopyAsync(_providerOutput, frames.Remaining, ct);
                        break;
                }
                if (!frames.HasBufferedFrame) await _providerOutput.FlushAsync(ct);
            }
        }
        catch (StyxProtocolException e)
        {
            ProtocolError = e;
        }
        catch (Exception e) when (IsTransportLoss(e))
        {
            // The link went away, or the provider did (the replies side says so).
        }
    }

    private async Task RefuseAuthAsync(ReadOnlySequence<byte> frame, StyxMessageReader decoder, CancellationToken ct)
    {
        if (Decode<Tauth>(frame, decoder, out var auth) is { } malformed)
        {
            await ReplyErrorAsync(malformed.Tag, Errno.EPROTO, malformed.Text, ct);
            return;
        }
        // ENOENT is how 9P2000.L servers say so (as StyxSession answers).
        await ReplyErrorAsync(auth.Tag, Errno.ENOENT, $"authentication not required for {auth.Uname}", ct);
    }

    private async Task AttachAsync(ReadOnlySequence<byte> frame, StyxMessageReader decoder, CancellationToken ct)
    {
        if (Decode<Tattach>(frame, decoder, out var attach) is { } malformed)
        {
            await ReplyErrorAsync(malformed.Tag, Errno.EPROTO, malformed.Text, ct);
            return;
        }
        if (attach.Afid != StyxConstants.NoFid)
        {
            await ReplyErrorAsync(attach.Tag, Errno.EINVAL, "authentication not required", ct);
            return;
        }
        string path;
        try
        {
            path = ExportAccess.Check(await _catalog.ListAsync(ct), attach.Aname, _peer.Uid).Path;
        }
        catch (StyxErrorException e)
        {
            // 9P2000.L's Rlerror carries only the errno: the reason is in the log too.
            _logger.LogInformation("{Peer}: {Reason}", _peer, e.Message);
            await ReplyErrorAsync(attach.Tag, e.Errno, e.Message, ct);
            return;
        }
        _attaches[attach.Tag] = path;
        // The uname is the uid the link's certificate proved; the peer's numeric ids mean nothing on this node.
        StyxMessageWriter.Write(_providerOutput,
            attach with { Uname = _peer.Uid, Aname = path, NUname = Tauth.NoUid }, _dialect);
    }

    /// <summary>Decodes a whole small frame; a malformed one gives its tag and why instead (answered EPROTO, as the server does).</summary>
    private (ushort Tag, string Text)? Decode<T>(ReadOnlySequence<byte> frame, StyxMessageReader decoder, out T message)
        where T : Message
    {
        message = null!;
        var consumed = frame.Start;
        var examined = frame.End;
        decoder.Dialect = _dialect;
        try
        {
            decoder.TryParseMessage(frame, ref consumed, ref examined, out var decoded);
            message = (T)decoded;
            return null;
        }
        catch (StyxProtocolException e) when (e.Tag is { } tag)
        {
            return (tag, e.Message);
        }
    }
}
