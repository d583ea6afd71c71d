using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Ram;

/// <summary>A directory of a <see cref="RamFileSystem"/>.</summary>
public sealed class RamDirectory : RamNode, INode
{
    private readonly Dictionary<string, RamNode> _children = new(StringComparer.Ordinal);
    private int _subdirectories;

    internal RamDirectory(RamFileSystem fs, string name, uint mode, uint uid, uint gid, string user)
        : base(fs, name, mode, uid, gid, user)
    {
    }

    protected override QidType QidType => QidType.Directory;
    protected override ulong Size => 0;
    protected override ulong LinkCount => 2 + (ulong)Volatile.Read(ref _subdirectories);

    internal bool HasChildren => _children.Count > 0;

    internal bool TryGetChild(string name, out RamNode child) => _children.TryGetValue(name, out child!);

    public ValueTask<INode> LookupAsync(string name, CancellationToken cancellationToken)
    {
        lock (Fs.TreeLock)
        {
            return _children.TryGetValue(name, out var child)
                ? ValueTask.FromResult<INode>(child)
                : throw new StyxErrorException(Errno.ENOENT);
        }
    }

    public ValueTask<IReadOnlyList<DirectoryEntry>> ListAsync(CancellationToken cancellationToken)
    {
        lock (Fs.TreeLock)
        {
            var entries = new DirectoryEntry[_children.Count];
            int i = 0;
            foreach (var (name, node) in _children) entries[i++] = new DirectoryEntry(name, node);
            return ValueTask.FromResult<IReadOnlyList<DirectoryEntry>>(entries);
        }
    }

    public override ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken) =>
        throw new StyxErrorException(Errno.EISDIR);

    public ValueTask<INode> CreateAsync(string name, CreateOptions options, CancellationToken cancellationToken)
    {
        CheckName(name);
        uint permissions = options.Mode & UnixMode.PermissionMask;
        lock (Fs.TreeLock)
        {
            if (Parent is null && this != Fs.Root) throw new StyxErrorException(Errno.ENOENT);
            if (_children.ContainsKey(name)) throw new StyxErrorException(Errno.EEXIST);
            RamNode node = options.FileType switch
            {
                UnixMode.Directory => new RamDirectory(Fs, name, UnixMode.Directory | permissions, options.Uid, options.Gid, options.UserName),
                UnixMode.Regular or 0 => new RamFile(Fs, name, UnixMode.Regular | permissions, options.Uid, options.Gid, options.UserName),
                _ => throw new StyxErrorException(Errno.EOPNOTSUPP, "only files and directories can be created here"),
            };
            AttachChild(node);
            Touch(options.UserName);
            return ValueTask.FromResult<INode>(node);
        }
    }

    /// <summary>Caller holds the tree lock.</summary>
    internal void AttachChild(RamNode node)
    {
        _children.Add(node.Name, node);
        node.Parent = this;
        if (node is RamDirectory) Interlocked.Increment(ref _subdirectories);
        Interlocked.Increment(ref Fs.FileCount);
        Touch();
    }

    /// <summary>Caller holds the tree lock.</summary>
    internal void Detach(RamNode node)
    {
        _children.Remove(node.Name);
        node.Parent = null;
        if (node is RamDirectory) Interlocked.Decrement(ref _subdirectories);
        Interlocked.Decrement(ref Fs.FileCount);
        Touch();
    }

    internal static void CheckName(string name)
    {
        if (name.Length == 0 || name == "." || name == ".." || name.Contains('/') || name.Contains('\0'))
            throw new StyxErrorException(Errno.EINVAL, $"invalid file name '{name}'");
        if (System.Text.Encoding.UTF8.GetByteCount(name) > 255) throw new StyxErrorException(Errno.ENAMETOOLONG);
    }
}
