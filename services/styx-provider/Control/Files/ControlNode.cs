using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxProvider.Control.Files;

/// <summary>Shared parts of control files and directories: attributes, owner, and setattr rules.</summary>
public abstract class ControlNode : INode
{
    public const string Owner = "cheshire";

    private readonly DateTimeOffset _created = DateTimeOffset.UtcNow;

    protected ControlNode(string name, uint mode, Qid qid)
    {
        Name = name;
        Mode = mode;
        Qid = qid;
    }

    public string Name { get; }
    public uint Mode { get; }
    public Qid Qid { get; }

    /// <summary>The length stat reports.</summary>
    protected virtual ValueTask<ulong> SizeAsync(CancellationToken cancellationToken) => ValueTask.FromResult(0UL);

    /// <summary>When the content last changed (the creation time unless the file says otherwise).</summary>
    protected virtual DateTimeOffset Modified => _created;

    public async ValueTask<NodeAttributes> GetAttributesAsync(CancellationToken cancellationToken)
    {
        var size = await SizeAsync(cancellationToken);
        return new NodeAttributes
        {
            Qid = Qid, Name = Name, Mode = Mode, UserName = Owner, GroupName = Owner, ModifiedBy = Owner,
            Size = size, AccessTime = DateTimeOffset.UtcNow, ModifyTime = Modified, ChangeTime = Modified,
            LinkCount = Qid.IsDirectory ? 2UL : 1UL,
        };
    }

    /// <summary>Truncation and time changes are accepted and ignored (so "echo cmd > ctl" works); the rest is refused.</summary>
    public ValueTask SetAttributesAsync(AttributeChanges changes, CancellationToken cancellationToken)
    {
        if (changes.Permissions is not null || changes.Uid is not null || changes.Gid is not null || changes.GroupName is not null)
            throw new StyxErrorException(Errno.EPERM, $"{Name}: control files keep their owner and mode");
        return ValueTask.CompletedTask;
    }

    public abstract ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken);

    protected StyxErrorException ReadOnly() => new(Errno.EACCES, $"{Name} is read-only");
}
