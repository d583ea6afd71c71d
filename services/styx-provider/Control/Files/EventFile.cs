using System.Text;
using System.Threading.Channels;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxProvider.Control.Files;

/// <summary>
/// A Plan 9 event file: opening it subscribes (<c>subscribe</c> runs for as long as the file is open), and a read
/// blocks until there is at least one line, then returns as many whole lines as fit (a line longer than the read
/// continues in the next read). Offsets are ignored and stat's length is 0: it is a stream. When the subscription
/// fails or ends, pending and later reads fail with its error; open the file again to subscribe again.
/// </summary>
public sealed class EventFile : ControlNode, INode
{
    /// <summary>Lines held for a reader that is not reading; the subscription waits beyond this.</summary>
    public const int Backlog = 1024;

    private readonly Func<CancellationToken, IAsyncEnumerable<string>> _subscribe;
    private readonly string _endedMessage;

    /// <param name="endedMessage">The error reads give when the subscription ends without an error.</param>
    public EventFile(string name, Qid qid, Func<CancellationToken, IAsyncEnumerable<string>> subscribe, string endedMessage)
        : base(name, UnixMode.Regular | 0x124 /* 0444 */, qid)
    {
        _subscribe = subscribe;
        _endedMessage = endedMessage;
    }

    public override ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken)
    {
        if (options.CanWrite) throw ReadOnly();
        return ValueTask.FromResult<IOpenFile>(new Handle(this));
    }

    private sealed class Handle : IOpenFile
    {
        private readonly Channel<byte[]> _lines = Channel.CreateBounded<byte[]>(
            new BoundedChannelOptions(Backlog) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        private readonly CancellationTokenSource _stop = new();
        private readonly SemaphoreSlim _readGate = new(1, 1);
        private readonly Task _pump;
        private ReadOnlyMemory<byte> _rest;

        public Handle(EventFile file)
        {
            _pump = PumpAsync(file);
        }

        private async Task PumpAsync(EventFile file)
        {
            await Task.Yield();
            Exception? error = null;
            try
            {
                await foreach (var line in file._subscribe(_stop.Token))
                    await _lines.Writer.WriteAsync(Encoding.UTF8.GetBytes(line.EndsWith('\n') ? line : line + "\n"), _stop.Token);
                error = new StyxErrorException(Errno.EIO, file._endedMessage);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
            catch (StyxErrorException e)
            {
                error = e;
            }
            catch (Exception e)
            {
                error = new StyxErrorException(Errno.EIO, $"{file.Name}: {e.Message}");
            }
            _lines.Writer.TryComplete(error);
        }

        public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
        {
            if (buffer.IsEmpty) return 0;
            await _readGate.WaitAsync(cancellationToken);
            try
            {
                if (_rest.IsEmpty)
                {
                    try
                    {
                        _rest = await _lines.Reader.ReadAsync(cancellationToken);
                    }
                    catch (ChannelClosedException e) when (e.InnerException is StyxErrorException inner)
                    {
                        throw new StyxErrorException(inner.Errno, inner.Message);
                    }
                }
                var written = Take(buffer);
                // more whole lines that are already here, as long as they fit
                while (_rest.IsEmpty && _lines.Reader.TryPeek(out var next) && next.Length <= buffer.Length - written)
                {
                    _lines.Reader.TryRead(out _);
                    next.CopyTo(buffer[written..]);
                    written += next.Length;
                }
                return written;
            }
            finally
            {
                _readGate.Release();
            }
        }

        private int Take(Memory<byte> buffer)
        {
            var count = Math.Min(buffer.Length, _rest.Length);
            _rest[..count].CopyTo(buffer);
            _rest = _rest[count..];
            return count;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _pump;
            _stop.Dispose();
            _readGate.Dispose();
        }
    }
}
