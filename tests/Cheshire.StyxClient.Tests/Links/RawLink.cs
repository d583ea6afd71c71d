using System.IO.Pipelines;
using Cheshire.Link;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxClient.Tests.Links;

/// <summary>A link driven frame by frame: exact bytes out, replies decoded one at a time.</summary>
internal sealed class RawLink(LinkConnection link, Dialect dialect) : IAsyncDisposable
{
    private readonly PipeReader _input = PipeReader.Create(link.Stream);
    private readonly StyxMessageReader _reader = new(dialect, uint.MaxValue);

    public Dialect Dialect => dialect;

    public static async Task<RawLink> OpenAsync(LinkNode node, string version, uint msize, CancellationToken ct)
    {
        var link = await node.ConnectAsync(Cheshire.Link.LinkCredentials.Create(Cheshire.Identity.NodeIdentity.Generate(), node.User), ct: ct);
        var raw = new RawLink(link, DialectNames.Negotiate(version)!.Value);
        await raw.SendAsync(new Tversion(StyxConstants.NoTag, msize, version), ct);
        var reply = Assert.IsType<Rversion>(await raw.ReceiveAsync(ct));
        Assert.Equal(version, reply.Version);
        Assert.Equal(msize, reply.MaxSize);
        return raw;
    }

    public Task SendAsync(Message message, CancellationToken ct) => SendBytesAsync(StyxMessageWriter.ToArray(message, dialect), ct);

    public async Task SendBytesAsync(byte[] bytes, CancellationToken ct)
    {
        await link.Stream.WriteAsync(bytes, ct);
        await link.Stream.FlushAsync(ct);
    }

    /// <summary>The next reply, or null once the node closed the link.</summary>
    public async Task<Message?> ReceiveAsync(CancellationToken ct)
    {
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(ct);
                var consumed = result.Buffer.Start;
                var examined = result.Buffer.End;
                if (_reader.TryParseMessage(result.Buffer, ref consumed, ref examined, out var message))
                {
                    _input.AdvanceTo(consumed, examined);
                    return message;
                }
                _input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                if (result.IsCompleted) return null;
            }
        }
        catch (IOException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _input.CompleteAsync();
        await link.DisposeAsync();
    }
}
