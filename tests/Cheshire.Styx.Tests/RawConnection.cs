using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Tests;

/// <summary>A test-side 9P peer that sends exact frames and reads replies one by one.</summary>
internal sealed class RawConnection(Socket socket, Dialect dialect = Dialect.Linux) : IAsyncDisposable
{
    private readonly NetworkStream _stream = new(socket, ownsSocket: true);
    private readonly StyxMessageReader _reader = new(dialect, uint.MaxValue);
    private PipeReader? _input;

    private PipeReader Input => _input ??= PipeReader.Create(_stream);

    public Task SendAsync(Message message) => SendBytesAsync(StyxMessageWriter.ToArray(message, dialect));

    public async Task SendBytesAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>The next reply, or null when the server closed the connection or nothing came within the timeout.</summary>
    public async Task<Message?> ReceiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var result = await Input.ReadAsync(cts.Token);
                var buffer = result.Buffer;
                var consumed = buffer.Start;
                var examined = buffer.End;
                if (_reader.TryParseMessage(buffer, ref consumed, ref examined, out var message))
                {
                    Input.AdvanceTo(consumed, examined);
                    return message;
                }
                Input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) return null;
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public async Task<Message> RequireAsync(TimeSpan timeout) =>
        await ReceiveAsync(timeout) ?? throw new TimeoutException("no reply from the server");

    public async ValueTask DisposeAsync()
    {
        if (_input is not null) await _input.CompleteAsync();
        await _stream.DisposeAsync();
    }
}
