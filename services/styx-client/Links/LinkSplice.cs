using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using Cheshire.Link;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Relay;

namespace Cheshire.StyxClient.Links;

/// <summary>
/// One link spliced onto its own connection to styx-provider: the link's fids and tags are the provider connection's,
/// so frames go through byte for byte. Only Tattach is looked into (the export must let the peer's proven uid in, and
/// the uname becomes that uid) and Tauth is answered here (the link already authenticated the peer). Either side
/// ending ends both.
/// </summary>
public sealed partial class LinkSplice
{
    // As large as a relay's flush (FrameReader.FlushThreshold): a 512 KiB Rread comes from the provider in a few receives.
    private const int BufferSize = FrameReader.FlushThreshold;

    private readonly LinkPeer _peer;
    private readonly ExportCatalog _catalog;
    private readonly ILogger _logger;
    private readonly PipeReader _linkInput;
    private readonly PipeWriter _linkOutput;
    private readonly PipeReader _providerInput;
    private readonly PipeWriter _providerOutput;
    // Frames to the link come from both directions (provider replies, errors answered here): one whole frame at a time.
    private readonly SemaphoreSlim _linkWrite = new(1, 1);
    // Tags of attaches sent to the provider → export path, to log the outcome when the reply passes.
    private readonly ConcurrentDictionary<ushort, string> _attaches = new();
    private volatile Dialect _dialect = Dialect.Styx2000;
    private readonly FrameReader _requests;

    public LinkSplice(LinkPeer peer, Stream link, Stream provider, ExportCatalog catalog, ILogger logger)
    {
        _peer = peer;
        _catalog = catalog;
        _logger = logger;
        _linkInput = Reader(link);
        _requests = new FrameReader(_linkInput, StyxConstants.DefaultMessageSize);
        _linkOutput = Writer(link);
        _providerInput = Reader(provider);
        _providerOutput = Writer(provider);
    }

    /// <summary>Why the splice ended when the link's peer broke the protocol (an oversized or truncated frame).</summary>
    public StyxProtocolException? ProtocolError { get; private set; }

    /// <summary>Why the splice ended when styx-provider's side ended or failed (it restarted, or sent a bad frame).</summary>
    public string? ProviderEnded { get; private set; }

    /// <summary>Runs until either side ends, one breaks the protocol, or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var requests = Pump(RequestsAsync(stop.Token), stop);
        var replies = Pump(RepliesAsync(stop.Token), stop);
        try
        {
            await Task.WhenAll(requests, replies);
        }
        finally
        {
            await _linkInput.CompleteAsync();
            await _linkOutput.CompleteAsync();
            await _providerInput.CompleteAsync();
            await _providerOutput.CompleteAsync();
        }
    }

    // Whichever direction ends first stops the other.
    private static async Task Pump(Task direction, CancellationTokenSource stop)
    {
        try
        {
            await direction;
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    private static bool IsTransportLoss(Exception e) =>
        e is IOException or SocketException or ObjectDisposedException or OperationCanceledException;

    private static PipeReader Reader(Stream stream) =>
        PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: BufferSize, minimumReadSize: 16 * 1024, leaveOpen: true));

    private static PipeWriter Writer(Stream stream) =>
        PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: BufferSize, leaveOpen: true));
}
