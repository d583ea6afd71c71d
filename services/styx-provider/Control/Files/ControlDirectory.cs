using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxProvider.Control.Files;

/// <summary>
/// A read-only directory of fixed children. With a <c>generate</c> function it is a directory like get/ where any
/// name can be walked to (the function makes the node for it, or throws to refuse the name); such names are not listed.
/// As an <see cref="IFileSystem"/>, every aname attaches to it.
/// </summary>
public sealed class ControlDirectory : ControlNode, IFileSystem, INode
{
    private readonly List<ControlNode> _children = [];
    private readonly Func<string, INode>? _generate;

    public ControlDirectory(string name, Qid qid, Func<string, INode>? generate = null)
        : base(name, UnixMode.Directory | 0x16D /* 0555 */, qid)
    {
        _generate = generate;
    }

    public T Add<T>(T node) where T : ControlNode
    {
        if (_children.Any(c => c.Name == node.Name))
            throw new ArgumentException($"'{node.Name}' already exists", nameof(node));
        _children.Add(node);
        return node;
    }

    public ValueTask<INode> AttachAsync(AttachRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<INode>(this);

    public ValueTask<INode> LookupAsync(string name, CancellationToken cancellationToken)
    {
        foreach (var child in _children)
            if (child.Name == name) return ValueTask.FromResult<INode>(child);
        if (_generate is not null) return ValueTask.FromResult(_generate(name));
        throw new StyxErrorException(Errno.ENOENT, $"'{name}' does not exist in {Name}");
    }

    public ValueTask<IReadOnlyList<DirectoryEntry>> ListAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<DirectoryEntry>>(
            _children.Select(c => new DirectoryEntry(c.Name, c)).ToArray());

    public override ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken) =>
        throw new StyxErrorException(Errno.EISDIR);

    public ValueTask<INode> CreateAsync(string name, CreateOptions options, CancellationToken cancellationToken) =>
        throw new StyxErrorException(Errno.EROFS, $"{Name}: files cannot be created here");
}
