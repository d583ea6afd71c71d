using System.Buffers;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Relay;

namespace Cheshire.StyxClient.Links;

// Provider → link: replies are copied through; Rversion sets the dialect and msize, and attach replies are logged.
public sealed partial class LinkSplice
{
    private async Task RepliesAsync(CancellationToken ct)
    {
        var frames = new FrameReader(_providerInput, _requests.MaxSize);
        var decoder = new StyxMessageReader(maxMessageSize: uint.MaxValue);
        try
        {
            while (true)
            {
                frames.MaxSize = _requests.MaxSize;
                if (await frames.ReadHeaderAsync(ct) is not { } header)
                {
                    ProviderEnded = "styx-provider closed the connection";
                    return;
                }
                await _linkWrite.WaitAsync(ct);
                try
                {
                    if (header.Type == MessageType.Rversion)
                        Write(Versioned(await frames.ReadAsync(frames.Remaining, ct), decoder));
                    else if (!_attaches.IsEmpty && _attaches.TryRemove(header.Tag, out var path))
                        Write(Attached(await frames.ReadAsync(frames.Remaining, ct), header, path, decoder));
                    else
                        await frames.CopyAsync(_linkOutput, frames.Remaining, ct);
                    if (!frames.HasBufferedFrame) await _linkOutput.FlushAsync(ct);
                }
                finally
                {
                    _linkWrite.Release();
                }
            }
        }
        catch (StyxProtocolException e)
        {
            ProviderEnded = $"styx-provider broke the protocol: {e.Message}";
        }
        catch (Exception e) when (IsTransportLoss(e))
        {
            if (!ct.IsCancellationRequested) ProviderEnded = $"styx-provider's connection failed: {e.Message}";
        }
    }

    private void Write(ReadOnlySequence<byte> frame)
    {
        foreach (var segment in frame) _linkOutput.Write(segment.Span);
    }

    private ReadOnlySequence<byte> Versioned(ReadOnlySequence<byte> frame, StyxMessageReader decoder)
    {
        var consumed = frame.Start;
        var examined = frame.End;
        if (decoder.TryParseMessage(frame, ref consumed, ref examined, out var message)
            && message is Rversion { Version: var version, MaxSize: var size }
            && DialectNames.Negotiate(version) is { } dialect)
        {
            _dialect = dialect;
            _requests.MaxSize = size;
            _attaches.Clear();
        }
        return frame;
    }

    private ReadOnlySequence<byte> Attached(ReadOnlySequence<byte> frame, FrameHeader header, string path, StyxMessageReader decoder)
    {
        if (header.Type == MessageType.Rattach)
        {
            _logger.LogInformation("{Peer} attached {Path}", _peer, path);
            return frame;
        }
        var consumed = frame.Start;
        var examined = frame.End;
        decoder.Dialect = _dialect;
        try
        {
            decoder.TryParseMessage(frame, ref consumed, ref examined, out var message);
            var reason = message switch
            {
                Rerror error => error.Ename,
                Rlerror error => ErrnoText.Of(error.Errno),
                _ => $"styx-provider answered {header.Type}",
            };
            _logger.LogInformation("{Peer}: attach of {Path} failed: {Reason}", _peer, path, reason);
        }
        catch (StyxProtocolException)
        {
            // Passed on as it came; the peer judges it.
        }
        return frame;
    }

    /// <summary>An error for <paramref name="tag"/> answered here, in the dialect's form (Rlerror carries only the errno).</summary>
    private async Task ReplyErrorAsync(ushort tag, Errno errno, string text, CancellationToken ct)
    {
        Message reply = _dialect switch
        {
            Dialect.Linux => new Rlerror(tag, errno),
            Dialect.Unix => new Rerror(tag, text, errno),
            _ => new Rerror(tag, ErrnoText.Of(errno)),
        };
        await _linkWrite.WaitAsync(ct);
        try
        {
            StyxMessageWriter.Write(_linkOutput, reply, _dialect);
            await _linkOutput.FlushAsync(ct);
        }
        finally
        {
            _linkWrite.Release();
        }
    }
}
