using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Local;

/// <summary>
/// Where a node is: its parent node and name. Nodes handed to the server (lookup, create) are interned per directory,
/// so every fid on one path shares one node, and a rename moves it, and everything below it, for all of them (the
/// Linux client keeps using a directory's fid after renaming it). Children are held weakly; parents strongly.
/// </summary>
public sealed partial class LocalNode
{
    private LocalNode? _parent;
    private string _name;
    private bool _removed;
    private Dictionary<string, WeakReference<LocalNode>>? _children;
    private int _pruneAt = 64;

    /// <summary>The path below the export root ("" for the root itself); ENOENT once the node was removed.</summary>
    public string RelativePath
    {
        get
        {
            lock (_fs.TreeLock)
            {
                if (_parent is null) return _removed ? throw new StyxErrorException(Errno.ENOENT) : "";
                var names = new Stack<string>();
                for (var node = this; node._parent is not null; node = node._parent)
                {
                    if (node._removed) throw new StyxErrorException(Errno.ENOENT);
                    names.Push(node._name);
                }
                return string.Join('/', names);
            }
        }
    }

    /// <summary>The one live node for <paramref name="name"/> in this directory, refreshed with <paramref name="stat"/>.</summary>
    private LocalNode Intern(string name, in LibC.Statx stat)
    {
        lock (_fs.TreeLock)
        {
            _children ??= new(StringComparer.Ordinal);
            if (_children.TryGetValue(name, out var weak) && weak.TryGetTarget(out var existing) && !existing._removed)
            {
                existing.Refresh(stat);
                return existing;
            }
            var node = new LocalNode(_fs, this, name, stat);
            _children[name] = new WeakReference<LocalNode>(node);
            if (_children.Count >= _pruneAt)
            {
                foreach (var (key, value) in _children)
                {
                    if (!value.TryGetTarget(out _)) _children.Remove(key);
                }
                _pruneAt = Math.Max(64, _children.Count * 2);
            }
            return node;
        }
    }

    /// <summary>After a successful rename: this node now is <paramref name="name"/> in <paramref name="directory"/>.</summary>
    private void Moved(LocalNode? directory, string name)
    {
        lock (_fs.TreeLock)
        {
            Detach();
            if (directory is null) return;
            directory._children ??= new(StringComparer.Ordinal);
            if (directory._children.TryGetValue(name, out var weak) && weak.TryGetTarget(out var replaced) && replaced != this)
                replaced._removed = true;
            _parent = directory;
            _name = name;
            _removed = false;
            directory._children[name] = new WeakReference<LocalNode>(this);
        }
    }

    /// <summary>After a successful unlink: the node's path no longer names it.</summary>
    private void Removed()
    {
        lock (_fs.TreeLock)
        {
            Detach();
            _removed = true;
        }
    }

    /// <summary>Caller holds the tree lock.</summary>
    private void Detach()
    {
        if (_parent?._children is { } siblings && siblings.TryGetValue(_name, out var weak) &&
            weak.TryGetTarget(out var registered) && registered == this)
            siblings.Remove(_name);
    }
}
