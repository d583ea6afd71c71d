using System.IO.Pipelines;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Relay;

/// <summary>
/// One client connection of a 9P relay (over an <see cref="IDuplexPipe"/>, e.g. Kestrel's ConnectionContext.Transport):
/// Tversion (9P2000.L only), Tauth and Tattach are answered here, the attach going to the <see cref="MuxLink"/> the
/// <see cref="MuxAttacher"/> names; every other request is passed to its link as a frame with only its tag and fids
/// rewritten, and the replies come back byte for byte with their tag put back. The client's fids map to link fids
/// (live once the server's reply says they are); when the client goes, its link fids are clunked. A frame that is not a
/// well-formed 9P2000.L request, or exceeds msize, closes this connection only (<see cref="ProtocolError"/>).
/// </summary>
public sealed partial class MuxConnection
{
    private readonly IDuplexPipe _transport;
    private readonly MuxAttacher _attach;
    private readonly MuxOptions _options;
    private readonly Lock _gate = new();
    private readonly Dictionary<uint, MuxFid> _fids = [];
    private readonly Dictionary<ushort, MuxInFlight> _inFlight = [];
    private readonly HashSet<MuxLink> _links = [];
    private readonly List<Task> _attaches = [];
    private readonly SemaphoreSlim _replying = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private bool _closed;
    private uint _msize;

    public MuxConnection(IDuplexPipe transport, MuxAttacher attach, MuxOptions? options = null)
    {
        _transport = transport;
        _attach = attach;
        _options = options ?? new MuxOptions();
        _msize = _options.MaxMessageSize;
        Replies = new MuxReplies(transport.Output, () => Abort(null));
    }

    /// <summary>Why the connection ended, if the client broke the protocol.</summary>
    public StyxProtocolException? ProtocolError { get; private set; }

    /// <summary>The link whose end closed this connection, if that is why it ended.</summary>
    public MuxLink? EndedWithLink { get; private set; }

    /// <summary>The client's fids live now (attached or walked, answered by the server).</summary>
    public int FidCount
    {
        get
        {
            lock (_gate) return _fids.Values.Count(f => !f.Pending);
        }
    }

    /// <summary>Where a link's reading loop writes this connection's replies, between <see cref="BeginReplyAsync"/> and <see cref="EndReply"/>.</summary>
    internal PipeWriter Replies { get; }

    /// <summary>Serves the client until it disconnects, breaks the protocol, a link it attached through ends, or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        await using var stop = cancellationToken.Register(() => Abort(null));
        try
        {
            await ReadLoopAsync(_stop.Token);
        }
        catch (StyxProtocolException e)
        {
            ProtocolError = e;
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // the client went away
        }
        finally
        {
            await CloseAsync();
        }
    }

    /// <summary>Closes the connection (its link ended: <paramref name="link"/>, or its transport failed: null).</summary>
    internal void Abort(MuxLink? link)
    {
        if (link is not null) EndedWithLink = link;
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task ReadLoopAsync(CancellationToken ct)
    {
        var frames = new FrameReader(_transport.Input, _msize);
        try
        {
            while (await frames.ReadHeaderAsync(ct) is { } header)
            {
                var frame = await frames.ReadAsync(header.Size, ct);
                await HandleAsync(frames, header, frame, ct);
                if (!frames.HasBufferedFrame) await ReleaseLinkAsync();
            }
        }
        finally
        {
            await ReleaseLinkAsync();
        }
    }

    private async Task CloseAsync()
    {
        List<(MuxLink Link, uint LinkFid)> live;
        List<MuxInFlight> attaching;
        lock (_gate)
        {
            _closed = true;
            live = [.. _fids.Values.Where(f => !f.Pending && f.Link is not null).Select(f => (f.Link!, f.LinkFid))];
            attaching = [.. _inFlight.Values.Where(r => r.Attach is not null)];
            _fids.Clear();
            _inFlight.Clear();
        }
        foreach (var group in live.GroupBy(f => f.Link)) group.Key.Clunk([.. group.Select(f => f.LinkFid)]);
        foreach (var request in attaching) await request.Attach!.Cancellation.CancelAsync();
        Task[] attaches;
        lock (_attaches) attaches = [.. _attaches];
        await Task.WhenAll(attaches);
        MuxLink[] links;
        lock (_links) links = [.. _links];
        foreach (var link in links) link.Detach(this);
        await _replying.WaitAsync();
        try
        {
            await _transport.Output.CompleteAsync();
            await _transport.Input.CompleteAsync();
        }
        finally
        {
            _replying.Release();
        }
        _stop.Dispose();
    }

    /// <summary>A link's reading loop starts copying a reply here; false when the connection has closed.</summary>
    internal async ValueTask<bool> BeginReplyAsync()
    {
        await _replying.WaitAsync();
        bool closed;
        lock (_gate) closed = _closed;
        if (!closed) return true;
        _replying.Release();
        return false;
    }

    internal void EndReply() => _replying.Release();

    internal async Task FlushRepliesAsync()
    {
        if (!await BeginReplyAsync()) return;
        try
        {
            await Replies.FlushAsync();
        }
        finally
        {
            EndReply();
        }
    }

    /// <summary>Answers here (not through a link). From the reading loop, the link it writes to is flushed and let go first.</summary>
    private async Task ReplyAsync(Message reply, bool fromLoop, Dialect dialect = Dialect.Linux)
    {
        if (fromLoop) await ReleaseLinkAsync();
        if (!await BeginReplyAsync()) return;
        try
        {
            StyxMessageWriter.Write(Replies, reply, dialect);
            await Replies.FlushAsync();
        }
        finally
        {
            EndReply();
        }
    }

    /// <summary>The server made the link fid of a request in flight: the client's <paramref name="fid"/> is live. False if the connection is gone.</summary>
    internal bool Commit(uint fid, MuxLink link, uint linkFid)
    {
        lock (_gate)
        {
            if (_closed || !_fids.TryGetValue(fid, out var entry) || !entry.Pending || entry.Link != link || entry.LinkFid != linkFid)
                return false;
            _fids[fid] = entry with { Pending = false };
            return true;
        }
    }

    /// <summary>The server did not make the link fid: the client's <paramref name="fid"/> is free again.</summary>
    internal void Forget(uint fid, MuxLink link, uint linkFid)
    {
        lock (_gate)
        {
            if (_fids.TryGetValue(fid, out var entry) && entry.Pending && entry.Link == link && entry.LinkFid == linkFid)
                _fids.Remove(fid);
        }
    }

    /// <summary>The request sent as <paramref name="linkTag"/> is over: true if its reply should reach the client.</summary>
    internal bool EndRequest(ushort tag, ushort linkTag)
    {
        lock (_gate)
        {
            if (_closed || !_inFlight.TryGetValue(tag, out var request) || request.Link is null || request.LinkTag != linkTag)
                return false;
            _inFlight.Remove(tag);
            return true;
        }
    }

    /// <summary>A client fid: the link and link fid it stands for; pending until the server's reply makes it.</summary>
    private readonly record struct MuxFid(MuxLink? Link, uint LinkFid, bool Pending);

    /// <summary>A client tag in flight: on a link, an attach being resolved here, or a flush of one (answered here).</summary>
    private readonly record struct MuxInFlight(MuxLink? Link, ushort LinkTag, ulong Serial, MuxAttachWork? Attach);

    private sealed class MuxAttachWork
    {
        public CancellationTokenSource Cancellation { get; } = new();
        public ushort? FlushTag { get; set; }
    }
}
