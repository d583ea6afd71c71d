using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Server;

/// <summary>A node reached by walking, with the chain of nodes above it (so ".." works for any tree).</summary>
internal sealed record NodePath(INode Node, NodePath? Parent)
{
    public NodePath Up => Parent ?? this;
}

/// <summary>The user a fid was attached by.</summary>
internal sealed record FidUser(string Name, uint Id);

/// <summary>What an open fid can do.</summary>
internal sealed class OpenState(IOpenFile? file, OpenOptions options, bool isDirectory, bool removeOnClose)
{
    public IOpenFile? File { get; } = file;
    public OpenOptions Options { get; } = options;
    public bool IsDirectory { get; } = isDirectory;
    public bool RemoveOnClose { get; } = removeOnClose;
}

/// <summary>One fid of a session.</summary>
internal sealed class Fid(uint number, NodePath path, FidUser user)
{
    private OpenState? _open;

    public uint Number { get; } = number;
    public NodePath Path { get; set; } = path;
    public INode Node => Path.Node;
    public FidUser User { get; } = user;
    public OpenState? Open => Volatile.Read(ref _open);
    public SemaphoreSlim DirectoryGate { get; } = new(1, 1);
    public DirectoryCursor? Cursor { get; private set; }

    /// <summary>Replaces the directory cursor (null: none), closing the old one.</summary>
    public async ValueTask SetCursorAsync(DirectoryCursor? cursor)
    {
        var old = Cursor;
        Cursor = cursor;
        if (old is not null) await old.DisposeAsync();
    }

    public OpenState RequireOpen() => Open ?? throw new StyxErrorException(Errno.EBADF, "fid is not open");

    public void RequireNotOpen()
    {
        if (Open is not null) throw new StyxErrorException(Errno.EBADF, "fid is already open");
    }

    /// <summary>Marks the fid open; false if another request opened it first.</summary>
    public bool TrySetOpen(OpenState state) => Interlocked.CompareExchange(ref _open, state, null) is null;

    /// <summary>Closes the open file and performs remove-on-close. Never throws.</summary>
    public async ValueTask CloseAsync()
    {
        if (Cursor is not null)
        {
            await DirectoryGate.WaitAsync();
            try { await SetCursorAsync(null); }
            finally { DirectoryGate.Release(); }
        }
        var open = Interlocked.Exchange(ref _open, null);
        if (open is null) return;
        try
        {
            if (open.File is not null) await open.File.DisposeAsync();
            if (open.RemoveOnClose) await Node.RemoveAsync(CancellationToken.None);
        }
        catch (Exception)
        {
            // Clunk always succeeds; a failing close or remove-on-close has nobody to report to.
        }
    }
}
