using System.Collections.Immutable;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Namespaces;

/// <summary>
/// A file or directory of the namespace: its namespace path and its layers (one for a file or a plain
/// directory, several for a union, none for a synthetic directory that only leads to deeper mount points).
/// Every operation passes through to the first layer, except lookups and listings (which consult the mount
/// table first, so deeper mount points shadow the tree's own entries) and creates (the MCREATE layer).
/// </summary>
internal sealed partial class NamespaceNode : INode
{
    /// <summary>Permissions of a synthetic directory: read-only, as creates in it fail.</summary>
    public const uint SyntheticPermissions = 0x16D; // 0555

    private readonly Namespace _namespace;
    private readonly RemoteLook? _look;
    private readonly uint _permissions;

    public NamespaceNode(Namespace ns, string path, ImmutableArray<Layer> layers, AttachRequest user, RemoteLook? look = null,
        uint permissions = SyntheticPermissions)
    {
        _namespace = ns;
        Path = path;
        Layers = layers;
        User = user;
        _look = look;
        _permissions = permissions;
    }

    /// <summary>Where the node is now: a rename through it moves it, as a 9P fid follows its file.</summary>
    public string Path { get; private set; }
    public ImmutableArray<Layer> Layers { get; }
    public AttachRequest User { get; }
    public bool IsSynthetic => Layers.IsEmpty;

    /// <summary>Where the namespace's resolver may add names: "/" and synthetic directories, never inside a mounted tree.</summary>
    public bool ConsultsResolver => IsSynthetic || Path == NamespacePath.Root;
    private string Name => NamespacePath.NameOf(Path);

    public Qid Qid => IsSynthetic
        ? new Qid(QidType.Directory, 0, _namespace.SyntheticQidPath(Path))
        : QidMixer.Mix(Layers[0].Node.Qid, Layers[0].Mount.QidTag);

    private Layer First => IsSynthetic ? throw new StyxErrorException(Errno.EROFS, "synthetic mount-point directory") : Layers[0];

    public async ValueTask<NodeAttributes> GetAttributesAsync(CancellationToken cancellationToken)
    {
        if (IsSynthetic)
        {
            var owner = _look?.Owner ?? _namespace.Owner;
            var time = _look?.Modified ?? _namespace.Created;
            return new NodeAttributes
            {
                Qid = Qid, Name = Name, Mode = UnixMode.Directory | _permissions, UserName = owner,
                GroupName = owner, ModifiedBy = owner, LinkCount = 2,
                AccessTime = time, ModifyTime = time, ChangeTime = time,
            };
        }
        var attributes = await Layers[0].Node.GetAttributesAsync(cancellationToken);
        return attributes with { Qid = QidMixer.Mix(attributes.Qid, Layers[0].Mount.QidTag), Name = Name };
    }

    public ValueTask SetAttributesAsync(AttributeChanges changes, CancellationToken cancellationToken) =>
        First.Node.SetAttributesAsync(changes, cancellationToken);

    public async ValueTask<INode> LookupAsync(string name, CancellationToken cancellationToken) =>
        await _namespace.ResolveChildAsync(this, name, cancellationToken);

    /// <summary>The first layer that has <paramref name="name"/> (Plan 9 union lookup order); null if none has it.</summary>
    internal async ValueTask<Layer?> LookupInLayersAsync(string name, CancellationToken ct)
    {
        StyxErrorException? failure = null;
        foreach (var layer in Layers)
        {
            try
            {
                return new Layer(await layer.Node.LookupAsync(name, ct), layer.Mount);
            }
            catch (StyxErrorException e) when (e.Errno == Errno.ENOENT)
            {
            }
            catch (StyxErrorException e)
            {
                failure ??= e;
            }
        }
        if (failure is not null) throw failure;
        return null;
    }

    public ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken) =>
        IsSynthetic ? throw new StyxErrorException(Errno.EISDIR) : Layers[0].Node.OpenAsync(options, cancellationToken);

    public ValueTask<string> ReadLinkAsync(CancellationToken cancellationToken) =>
        IsSynthetic ? throw new StyxErrorException(Errno.EINVAL) : Layers[0].Node.ReadLinkAsync(cancellationToken);

    public ValueTask<FileSystemStatistics> GetFileSystemStatisticsAsync(CancellationToken cancellationToken) =>
        IsSynthetic ? ValueTask.FromResult(FileSystemStatistics.Synthetic) : Layers[0].Node.GetFileSystemStatisticsAsync(cancellationToken);

    public override string ToString() => $"{Path} ({Layers.Length} layers)";
}
