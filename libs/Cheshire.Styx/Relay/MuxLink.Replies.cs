using System.Buffers;
using System.Buffers.Binary;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Relay;

public sealed partial class MuxLink
{
    /// <summary>Header and Rwalk's nwqid: all a reply is looked at before it is copied on.</summary>
    private const int ReplyHead = StyxConstants.HeaderSize + 2;

    private readonly byte[] _head = new byte[ReplyHead];
    private readonly List<MuxConnection> _unflushed = [];

    /// <summary>
    /// Reads the server's replies: settles the fids each one decides, then copies the frame to the connection that asked
    /// with its tag put back, streaming large payloads (Rread) in chunks. Flushes when no further reply is buffered.
    /// </summary>
    private async Task ReadLoopAsync()
    {
        var frames = _frames!;
        var reason = "the server closed the connection";
        try
        {
            while (await frames.ReadHeaderAsync(Ended) is { } header)
            {
                var head = await frames.ReadAsync(Math.Min(header.Size, ReplyHead), Ended);
                head.CopyTo(_head);
                var to = Settle(header, _head.AsSpan(0, (int)head.Length));
                // The connection's output is taken before its request is ended there: a Tflush of that tag that comes
                // meanwhile, answered there, is then written after this reply, as the protocol wants.
                if (to.Connection is { } connection && await connection.BeginReplyAsync())
                {
                    try
                    {
                        if (connection.EndRequest(to.Tag, header.Tag))
                        {
                            FidLayout.WriteTag(_head, to.Tag);
                            connection.Replies.Write(_head.AsSpan(0, (int)head.Length));
                            await frames.CopyAsync(connection.Replies, frames.Remaining, Ended);
                            if (!_unflushed.Contains(connection)) _unflushed.Add(connection);
                        }
                    }
                    finally
                    {
                        connection.EndReply();
                    }
                }
                while (frames.Remaining > 0) await frames.ReadAsync(Math.Min(frames.Remaining, FrameReader.FlushThreshold), Ended);
                Release(header.Tag);
                if (!frames.HasBufferedFrame) await FlushRepliesAsync();
            }
        }
        catch (StyxProtocolException e)
        {
            reason = $"the server broke the protocol: {e.Message}";
        }
        catch (OperationCanceledException) when (!IsAlive)
        {
            reason = EndReason ?? "closed";
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            reason = $"reading from the server failed: {e.Message}";
        }
        End(reason);
    }

    private async Task FlushRepliesAsync()
    {
        foreach (var connection in _unflushed) await connection.FlushRepliesAsync();
        _unflushed.Clear();
    }

    /// <summary>
    /// Settles what the reply to <paramref name="header"/>'s tag decides (fids made or freed, a flushed request over) and
    /// says which connection asked (none for the link's own clunks), with its tag.
    /// </summary>
    private (MuxConnection? Connection, ushort Tag) Settle(FrameHeader header, ReadOnlySpan<byte> head)
    {
        if (!TryTake(header.Tag, 0, out var pending))
            throw new StyxProtocolException($"{header.Type} with tag {header.Tag}, which no request in flight has", header.Tag, header.Type);
        var failed = header.Type is MessageType.Rlerror or MessageType.Rerror;
        switch (pending.Kind)
        {
            case MuxPendingKind.CreatesFid:
                var made = !failed && (header.Type != MessageType.Rwalk ||
                    (head.Length >= ReplyHead && BinaryPrimitives.ReadUInt16LittleEndian(head[StyxConstants.HeaderSize..]) == pending.WalkNames));
                if (!made)
                {
                    pending.Connection?.Forget(pending.Fid, this, pending.LinkFid);
                    Fids.Return(pending.LinkFid);
                }
                else if (pending.Connection?.Commit(pending.Fid, this, pending.LinkFid) != true)
                {
                    Clunk([pending.LinkFid]);
                }
                break;
            case MuxPendingKind.FreesFid:
                Fids.Return(pending.LinkFid);
                break;
            case MuxPendingKind.Flush:
                if (header.Type == MessageType.Rflush) Flushed(pending.FlushedTag, pending.FlushedSerial);
                Unhold(pending.FlushedTag);
                break;
        }
        return (pending.Connection, pending.Tag);
    }

    /// <summary>Rflush came: the flushed request, if still unanswered, never will be.</summary>
    private void Flushed(ushort tag, ulong serial)
    {
        if (!TryTake(tag, serial, out var pending)) return;
        switch (pending.Kind)
        {
            case MuxPendingKind.CreatesFid:
                pending.Connection?.Forget(pending.Fid, this, pending.LinkFid);
                Fids.Return(pending.LinkFid);
                break;
            case MuxPendingKind.FreesFid:
                // Whether the server clunked it before the flush is not known: clunk it again, it is free once answered.
                Clunk([pending.LinkFid]);
                break;
        }
        pending.Connection?.EndRequest(pending.Tag, tag);
        Release(tag);
    }
}
