using Cheshire.Identity;
using Cheshire.Protos.Namespace;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.FileSystem.Ram;
using Cheshire.Styx.Namespaces;
using Namespace = Cheshire.Styx.Namespaces.Namespace;
using Microsoft.Extensions.Options;

namespace Cheshire.StyxRoot.Styx;

/// <summary>This node's namespace: /cheshire and /tmp from the start, then whatever is mounted through the Namespace API.</summary>
public sealed class NodeNamespace
{
    private readonly Namespace _namespace;

    public NodeNamespace(NodeIdentity identity, IOptions<StyxRootOptions> options, TimeProvider time)
    {
        _namespace = new Namespace();
        _namespace.Mount("/cheshire", CheshireControlTree.Create(identity, DescribeMounts, time), description: "cheshire");
        if (options.Value.TmpCapacityBytes > 0)
            _namespace.Mount("/tmp", new RamFileSystem(capacityBytes: options.Value.TmpCapacityBytes),
                description: $"ram {options.Value.TmpCapacityBytes}");
    }

    /// <summary>The tree served to 9P clients.</summary>
    public IFileSystem FileSystem => _namespace;

    public IReadOnlyList<MountInfo> Mounts => _namespace.List();

    public async Task<MountInfo> MountAsync(string path, MountSource source, MountFlag flag, bool create, CancellationToken ct)
    {
        var tree = await source.OpenAsync(ct);
        var flags = flag switch
        {
            MountFlag.Before => MountFlags.Before,
            MountFlag.After => MountFlags.After,
            _ => MountFlags.Replace,
        };
        if (create)
            flags |= MountFlags.Create;
        return _namespace.Mount(path, tree, flags: flags, description: source.Description);
    }

    /// <summary>Removes mount <paramref name="id"/> at <paramref name="path"/>, or every mount there when id is 0.</summary>
    public int Unmount(string path, ulong id)
    {
        if (id == 0)
        {
            var count = Mounts.Count(m => m.Path == path);
            return _namespace.Unmount(path) ? count : 0;
        }
        if (!Mounts.Any(m => m.Path == path && (ulong)m.Id == id))
            return 0;
        return _namespace.Unmount((long)id) ? 1 : 0;
    }

    /// <summary>The mount table in the style of Plan 9's ns(1).</summary>
    private string DescribeMounts() =>
        string.Concat(Mounts.Select(m => $"mount {FlagText(m.Flags)}'{m.Description}' {m.Path}\n"));

    private static string FlagText(MountFlags flags)
    {
        var text = (flags & MountFlags.Before) != 0 ? "-b" : (flags & MountFlags.After) != 0 ? "-a" : "";
        if ((flags & MountFlags.Create) != 0)
            text += text.Length == 0 ? "-c" : "c";
        return text.Length == 0 ? "" : text + " ";
    }
}

public static class MountInfoExtensions
{
    public static MountEntry ToProto(this MountInfo info) => new()
    {
        Id = (ulong)info.Id,
        Path = info.Path,
        Source = info.Description,
        Flag = (info.Flags & MountFlags.Before) != 0 ? MountFlag.Before
            : (info.Flags & MountFlags.After) != 0 ? MountFlag.After : MountFlag.Replace,
        Create = (info.Flags & MountFlags.Create) != 0,
    };
}
