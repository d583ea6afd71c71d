using System.Text;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxProvider.Control.Files;

/// <summary>
/// A Plan 9 ctl file. Each write holds one command per line, run in order (the write fails at the first command
/// that fails, with its error). A read shows the help text, or, once a command ran on this open file, the replies
/// of the last write (so <c>{ echo put k v; cat } &lt;&gt; ctl</c> shows what the put did).
/// </summary>
public sealed class CommandFile : ControlNode, INode
{
    private readonly byte[] _help;
    private readonly Func<string, CancellationToken, Task<string>> _execute;
    private readonly TreeState _state;

    /// <param name="execute">Runs one command line (no trailing newline) and returns its reply (one or more lines).</param>
    public CommandFile(string name, Qid qid, TreeState state, string help, Func<string, CancellationToken, Task<string>> execute)
        : base(name, UnixMode.Regular | 0x1A4 /* 0644 */, qid)
    {
        _help = Encoding.UTF8.GetBytes(help);
        _execute = execute;
        _state = state;
    }

    protected override ValueTask<ulong> SizeAsync(CancellationToken cancellationToken) => ValueTask.FromResult((ulong)_help.Length);

    public override ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IOpenFile>(new Handle(this));

    private sealed class Handle(CommandFile file) : IOpenFile
    {
        private byte[] _content = file._help;

        public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
        {
            var content = _content;
            if (offset >= content.Length) return ValueTask.FromResult(0);
            var count = (int)Math.Min(buffer.Length, content.Length - offset);
            content.AsSpan((int)offset, count).CopyTo(buffer.Span);
            return ValueTask.FromResult(count);
        }

        public async ValueTask<int> WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            string text;
            try
            {
                text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(data.Span);
            }
            catch (DecoderFallbackException)
            {
                throw new StyxErrorException(Errno.EINVAL, $"{file.Name}: commands are UTF-8 text");
            }
            var replies = new StringBuilder();
            foreach (var line in text.Split('\n'))
            {
                var command = line.TrimEnd('\r');
                if (command.Trim().Length == 0) continue;
                string reply;
                try
                {
                    reply = await file._execute(command, cancellationToken);
                }
                finally
                {
                    file._state.Changed();
                }
                replies.Append(reply);
                if (reply.Length > 0 && !reply.EndsWith('\n')) replies.Append('\n');
            }
            _content = Encoding.UTF8.GetBytes(replies.ToString());
            return data.Length;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
