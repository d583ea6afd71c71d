using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Synthetic;

/// <summary>
/// A read-only directory of generated files, for control trees such as /cheshire/node:
/// <code>
/// var root = new SyntheticDirectory("/");
/// root.AddFile("status", () => "running\n");
/// root.AddDirectory("peers").AddFile("count", () => peers.Count.ToString());
/// root.AddControl("ctl", () => "", text => Execute(text));
/// </code>
/// The tree is also an <see cref="IFileSystem"/> whose every aname attaches to this directory.
/// </summary>
public sealed class SyntheticDirectory : SyntheticNode, IFileSystem, INode
{
    private readonly List<SyntheticNode> _children = [];
    private readonly Lock _lock = new();

    public SyntheticDirectory(string name, uint permissions = 0x16D /* 0555 */)
        : base(name, UnixMode.Directory | permissions, QidType.Directory)
    {
    }

    public SyntheticDirectory AddDirectory(string name)
    {
        var directory = new SyntheticDirectory(name);
        Add(directory);
        return directory;
    }

    /// <summary>A read-only file whose content is produced when it is opened.</summary>
    public SyntheticFile AddFile(string name, Func<string> content) =>
        Add(new SyntheticFile(name, () => System.Text.Encoding.UTF8.GetBytes(content()), null));

    public SyntheticFile AddFile(string name, Func<byte[]> content) => Add(new SyntheticFile(name, content, null));

    /// <summary>A control file: reads produce <paramref name="read"/>, each write is one command given to <paramref name="write"/>.</summary>
    public SyntheticFile AddControl(string name, Func<string> read, Action<string> write) =>
        Add(new SyntheticFile(name, () => System.Text.Encoding.UTF8.GetBytes(read()),
            data => write(System.Text.Encoding.UTF8.GetString(data.Span))));

    public bool Remove(string name)
    {
        lock (_lock) return _children.RemoveAll(c => c.Name == name) > 0;
    }

    private T Add<T>(T node) where T : SyntheticNode
    {
        lock (_lock)
        {
            if (_children.Any(c => c.Name == node.Name)) throw new ArgumentException($"'{node.Name}' already exists", nameof(node));
            _children.Add(node);
        }
        return node;
    }

    public ValueTask<INode> AttachAsync(AttachRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<INode>(this);

    public ValueTask<INode> LookupAsync(string name, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            foreach (var child in _children)
            {
                if (child.Name == name) return ValueTask.FromResult<INode>(child);
            }
        }
        throw new StyxErrorException(Errno.ENOENT);
    }

    public ValueTask<IReadOnlyList<DirectoryEntry>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<DirectoryEntry>>(_children.Select(c => new DirectoryEntry(c.Name, c)).ToArray());
        }
    }

    public override ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken) =>
        throw new StyxErrorException(Errno.EISDIR);

    public ValueTask<INode> CreateAsync(string name, CreateOptions options, CancellationToken cancellationToken) =>
        throw new StyxErrorException(Errno.EROFS);

    protected override ulong Size => 0;
}
