using System.Buffers;
using System.IO.Pipelines;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Relay;

public sealed partial class MuxConnection
{
    /// <summary>Header and the first fid: enough to know which link a request goes to.</summary>
    private const int FidEnd = StyxConstants.HeaderSize + 4;

    private MuxLink? _held;
    private PipeWriter? _heldOutput;
    private bool _versioned;

    private async ValueTask HandleAsync(FrameReader frames, FrameHeader header, ReadOnlySequence<byte> frame, CancellationToken ct)
    {
        if (header.Type == MessageType.Tversion)
        {
            await VersionAsync(frames, Decode(frame));
            return;
        }
        if (!_versioned)
            throw new StyxProtocolException($"{header.Type} before Tversion: a 9P session starts with Tversion", header.Tag, header.Type);
        switch (header.Type)
        {
            case MessageType.Tauth:
                CheckTag(header.Tag);
                // As a 9P2000.L server without authentication says it (libnpclient then attaches without an afid).
                await ReplyAsync(new Rlerror(header.Tag, Errno.ENOENT), fromLoop: true);
                return;
            case MessageType.Tattach:
                await AttachAsync((Tattach)Decode(frame));
                return;
            case MessageType.Tflush:
                await FlushAsync(header, frame, ct);
                return;
            default:
                await RelayAsync(header, frame, ct);
                return;
        }
    }

    private Message Decode(ReadOnlySequence<byte> frame)
    {
        var consumed = frame.Start;
        var examined = frame.End;
        new StyxMessageReader(Dialect.Linux, _msize).TryParseMessage(frame, ref consumed, ref examined, out var message);
        return message;
    }

    private async Task VersionAsync(FrameReader frames, Message message)
    {
        var version = (Tversion)message;
        lock (_gate)
        {
            if (_fids.Count > 0 || _inFlight.Count > 0)
                throw new StyxProtocolException("Tversion after attaching: this relay does not restart a session; reconnect instead", version.Tag, version.Type);
        }
        var size = Math.Min(version.MaxSize, _options.MaxMessageSize);
        if (version.Version != DialectNames.Linux)
        {
            await ReplyAsync(new Rversion(version.Tag, size, DialectNames.Unknown), fromLoop: true, Dialect.Styx2000);
            return;
        }
        if (size < StyxConstants.MinMessageSize)
        {
            await ReplyAsync(new Rerror(version.Tag, $"msize {version.MaxSize} too small (minimum {StyxConstants.MinMessageSize})"),
                fromLoop: true, Dialect.Styx2000);
            return;
        }
        _msize = size;
        frames.MaxSize = size;
        _versioned = true;
        await ReplyAsync(new Rversion(version.Tag, size, DialectNames.Linux), fromLoop: true);
    }

    /// <summary>Under the gate: a tag still in flight must not be used again.</summary>
    private void CheckTagLocked(ushort tag)
    {
        if (_inFlight.ContainsKey(tag)) throw new StyxProtocolException($"tag {tag} is already in use", tag);
    }

    private void CheckTag(ushort tag)
    {
        lock (_gate) CheckTagLocked(tag);
    }

    /// <summary>Passes a request on to the link of its fid, with link tag and link fids written over the client's.</summary>
    private async ValueTask RelayAsync(FrameHeader header, ReadOnlySequence<byte> frame, CancellationToken ct)
    {
        if (!FidLayout.IsRelayed(header.Type) || header.Size < FidEnd)
        {
            FidLayout.Check(frame.ToArray()); // says what is wrong with it
            throw new StyxProtocolException($"{header.Type} is malformed", header.Tag, header.Type);
        }
        Span<byte> head = stackalloc byte[FidEnd];
        frame.Slice(0, FidEnd).CopyTo(head);
        var fid = FidLayout.Read(head, StyxConstants.HeaderSize);
        MuxFid entry;
        bool known;
        lock (_gate)
        {
            CheckTagLocked(header.Tag);
            known = _fids.TryGetValue(fid, out entry) && !entry.Pending;
        }
        if (!known)
        {
            await ReplyAsync(new Rlerror(header.Tag, Errno.EBADF), fromLoop: true);
            return;
        }
        var link = entry.Link!;
        var output = await HoldAsync(link, ct);
        var span = output.GetSpan((int)header.Size)[..(int)header.Size];
        frame.CopyTo(span);
        var fields = FidLayout.Check(span);
        var refused = Translate(span, fields, header.Tag, fid, entry);
        if (refused != Errno.None)
        {
            await ReplyAsync(new Rlerror(header.Tag, refused), fromLoop: true);
            return;
        }
        output.Advance((int)header.Size);
    }

    /// <summary>
    /// Writes the link's fids and a link tag into <paramref name="frame"/> and records the request on the link and here;
    /// or says why not (a fid that is unknown, in use, or on another link), changing nothing.
    /// </summary>
    private Errno Translate(Span<byte> frame, FidFields fields, ushort tag, uint fid, MuxFid entry)
    {
        var link = entry.Link!;
        lock (_gate)
        {
            FidLayout.Write(frame, fields.Fid, entry.LinkFid);
            if (fields.OtherFid != FidFields.None)
            {
                if (!_fids.TryGetValue(FidLayout.Read(frame, fields.OtherFid), out var other) || other.Pending) return Errno.EBADF;
                if (other.Link != link) return Errno.EXDEV;
                FidLayout.Write(frame, fields.OtherFid, other.LinkFid);
            }
            var pending = new MuxPending { Connection = this, Tag = tag, WalkNames = fields.WalkNames };
            uint newFid = 0;
            if (fields.NewFid != FidFields.None && (newFid = FidLayout.Read(frame, fields.NewFid)) != fid)
            {
                if (newFid == StyxConstants.NoFid || _fids.ContainsKey(newFid)) return Errno.EBADF;
                if (!link.Fids.TryRent(out var linkFid)) return Errno.ENOMEM;
                pending = pending with { Kind = MuxPendingKind.CreatesFid, Fid = newFid, LinkFid = linkFid };
            }
            else if (fields.FreesFid)
            {
                pending = pending with { Kind = MuxPendingKind.FreesFid, LinkFid = entry.LinkFid };
            }
            if (!link.Tags.TryRent(out var linkTag))
            {
                if (pending.Kind == MuxPendingKind.CreatesFid) link.Fids.Return(pending.LinkFid);
                return Errno.EAGAIN;
            }
            if (pending.Kind == MuxPendingKind.CreatesFid)
            {
                _fids[newFid] = new MuxFid(link, pending.LinkFid, Pending: true);
                FidLayout.Write(frame, fields.NewFid, pending.LinkFid);
            }
            else if (fields.NewFid != FidFields.None)
            {
                FidLayout.Write(frame, fields.NewFid, entry.LinkFid);
            }
            if (pending.Kind == MuxPendingKind.FreesFid) _fids.Remove(fid);
            FidLayout.WriteTag(frame, (ushort)linkTag);
            var serial = link.Register((ushort)linkTag, pending);
            _inFlight[tag] = new MuxInFlight(link, (ushort)linkTag, serial, null);
            return Errno.None;
        }
    }

    /// <summary>
    /// Tflush: of a request on a link, passed on with both tags translated (the request is over when Rflush comes); of an
    /// attach being resolved here, answered once it stopped; of anything else, answered at once.
    /// </summary>
    private async ValueTask FlushAsync(FrameHeader header, ReadOnlySequence<byte> frame, CancellationToken ct)
    {
        var fields = FidLayout.Check(frame.ToArray());
        MuxInFlight old;
        MuxLink? link = null;
        uint linkTag = 0;
        lock (_gate)
        {
            CheckTagLocked(header.Tag);
            if (!_inFlight.TryGetValue(fields.OldTag, out old))
            {
                old = default;
            }
            else if (old.Attach is { } attach)
            {
                attach.FlushTag = header.Tag;
                _inFlight[header.Tag] = default;
            }
            else if (old.Link is { } oldLink && oldLink.Tags.TryRent(out linkTag))
            {
                link = oldLink;
                link.Hold(old.LinkTag);
                var serial = link.Register((ushort)linkTag, new MuxPending
                {
                    Kind = MuxPendingKind.Flush, Connection = this, Tag = header.Tag, FlushedTag = old.LinkTag, FlushedSerial = old.Serial,
                });
                _inFlight[header.Tag] = new MuxInFlight(link, (ushort)linkTag, serial, null);
            }
        }
        if (old.Attach is { } flushed)
        {
            await flushed.Cancellation.CancelAsync();
            return;
        }
        if (link is null)
        {
            await ReplyAsync(new Rflush(header.Tag), fromLoop: true);
            return;
        }
        var output = await HoldAsync(link, ct);
        var span = output.GetSpan(StyxConstants.HeaderSize + 2)[..(StyxConstants.HeaderSize + 2)];
        frame.CopyTo(span);
        FidLayout.WriteTag(span, (ushort)linkTag);
        FidLayout.WriteOldTag(span, old.LinkTag);
        output.Advance(span.Length);
    }

    /// <summary>The link's writer, kept while the frames of one batch go to that link.</summary>
    private async ValueTask<PipeWriter> HoldAsync(MuxLink link, CancellationToken ct)
    {
        if (_held == link) return _heldOutput!;
        await ReleaseLinkAsync();
        _heldOutput = await link.AcquireWriterAsync(ct);
        _held = link;
        return _heldOutput;
    }

    /// <summary>Flushes the frames written to the held link and lets its writer go.</summary>
    private async ValueTask ReleaseLinkAsync()
    {
        if (_held is not { } link) return;
        _held = null;
        _heldOutput = null;
        await link.ReleaseWriterAsync();
    }
}
