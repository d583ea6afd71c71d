using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Relay;

public sealed partial class MuxConnection
{
    /// <summary>
    /// Tattach: the fid is held while the <see cref="MuxAttacher"/> picks a link (which may take a while: a lookup, a
    /// dial), then a Tattach with a link fid goes on that link and its reply comes back like any other.
    /// </summary>
    private async Task AttachAsync(Tattach attach)
    {
        var errno = Errno.None;
        var work = new MuxAttachWork();
        lock (_gate)
        {
            CheckTagLocked(attach.Tag);
            if (attach.Afid != StyxConstants.NoFid) errno = Errno.EINVAL;
            else if (attach.Fid == StyxConstants.NoFid || _fids.ContainsKey(attach.Fid)) errno = Errno.EBADF;
            else
            {
                _fids[attach.Fid] = new MuxFid(null, 0, Pending: true);
                _inFlight[attach.Tag] = new MuxInFlight(null, 0, 0, work);
            }
        }
        if (errno != Errno.None)
        {
            await ReplyAsync(new Rlerror(attach.Tag, errno), fromLoop: true);
            return;
        }
        var task = Task.Run(() => ResolveAsync(attach, work, _msize));
        lock (_attaches) _attaches.Add(task);
        _ = task.ContinueWith(done =>
        {
            lock (_attaches) _attaches.Remove(done);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task ResolveAsync(Tattach attach, MuxAttachWork work, uint msize)
    {
        MuxAttachTarget? target = null;
        StyxErrorException? refused = null;
        try
        {
            target = await _attach(new MuxAttachRequest(attach.Uname, attach.Aname, attach.NUname, msize), work.Cancellation.Token);
            if (target.Link.MaxMessageSize < msize)
                throw new StyxErrorException(Errno.EPROTO, $"the link carries messages of at most {target.Link.MaxMessageSize} bytes, " +
                    $"less than this connection's msize {msize}: mount {attach.Aname} with msize {target.Link.MaxMessageSize} or less");
            lock (_links) _links.Add(target.Link);
            if (!target.Link.Attach(this))
                throw new StyxErrorException(Errno.EIO, $"the link ended: {target.Link.EndReason}");
        }
        catch (OperationCanceledException) when (work.Cancellation.IsCancellationRequested)
        {
            target = null; // flushed, or the connection closed
        }
        catch (StyxErrorException e)
        {
            refused = e;
        }
        catch (Exception e)
        {
            refused = new StyxErrorException(Errno.EIO, e.Message);
        }

        uint linkFid = 0, linkTag = 0;
        ushort? flushTag;
        var send = false;
        lock (_gate)
        {
            if (_closed) return;
            flushTag = work.FlushTag;
            if (target is { Link: var link } && refused is null && flushTag is null)
            {
                if (!link.Fids.TryRent(out linkFid))
                    refused = new StyxErrorException(Errno.ENOMEM, "every link fid is in use");
                else if (!link.Tags.TryRent(out linkTag))
                {
                    link.Fids.Return(linkFid);
                    refused = new StyxErrorException(Errno.EAGAIN, "every link tag is in use");
                }
                else
                {
                    _fids[attach.Fid] = new MuxFid(link, linkFid, Pending: true);
                    var serial = link.Register((ushort)linkTag, new MuxPending
                    {
                        Kind = MuxPendingKind.CreatesFid, Connection = this, Tag = attach.Tag, Fid = attach.Fid, LinkFid = linkFid,
                    });
                    _inFlight[attach.Tag] = new MuxInFlight(link, (ushort)linkTag, serial, null);
                    send = true;
                }
            }
            if (!send)
            {
                _fids.Remove(attach.Fid);
                _inFlight.Remove(attach.Tag);
                if (flushTag is { } tag) _inFlight.Remove(tag);
            }
        }
        if (send)
        {
            var output = await target!.Link.AcquireWriterAsync(CancellationToken.None);
            try
            {
                StyxMessageWriter.Write(output, new Tattach((ushort)linkTag, linkFid, StyxConstants.NoFid, target.Uname, target.Aname, target.NUname),
                    Dialect.Linux);
            }
            finally
            {
                await target.Link.ReleaseWriterAsync();
            }
            return;
        }
        if (flushTag is { } flush)
        {
            await ReplyAsync(new Rflush(flush), fromLoop: false);
            return;
        }
        if (refused is not null)
        {
            _options.AttachRefused?.Invoke(attach.Aname, refused);
            await ReplyAsync(new Rlerror(attach.Tag, refused.Errno), fromLoop: false);
        }
    }
}
