using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Scripting;

/// <summary>A path of a script's tree. Every operation asks the script version loaded at that moment.</summary>
internal sealed class ScriptNode(ScriptFileSystem fileSystem, string path, bool isDirectory) : INode
{
    private const uint DirectoryPermissions = 0x1ED; // 0755
    private const uint WritablePermissions = 0x1A4;  // 0644
    private const uint ReadOnlyPermissions = 0x124;  // 0444

    public Qid Qid { get; } = new(isDirectory ? QidType.Directory : QidType.File, 0, fileSystem.Qids[path]);

    public string Path => path;

    public async ValueTask<NodeAttributes> GetAttributesAsync(CancellationToken cancellationToken)
    {
        var program = fileSystem.Current;
        var stat = await program.StatAsync(path, measure: true, cancellationToken);
        uint permissions = stat.Permissions ?? (stat.IsDirectory ? DirectoryPermissions : program.CanWrite ? WritablePermissions : ReadOnlyPermissions);
        var time = stat.ModifyTime ?? program.LoadedAt;
        return new NodeAttributes
        {
            Qid = Qid with { Type = stat.IsDirectory ? QidType.Directory : QidType.File, Version = stat.Version },
            Name = path == "/" ? "/" : path[(path.LastIndexOf('/') + 1)..],
            Mode = (stat.IsDirectory ? UnixMode.Directory : UnixMode.Regular) | permissions,
            UserName = "cheshire", GroupName = "cheshire", ModifiedBy = "cheshire",
            Size = stat.IsDirectory ? 0 : (ulong)(stat.Length ?? 0),
            LinkCount = stat.IsDirectory ? 2UL : 1UL,
            AccessTime = time, ModifyTime = time, ChangeTime = time,
        };
    }

    public async ValueTask<INode> LookupAsync(string name, CancellationToken cancellationToken)
    {
        if (!isDirectory) throw new StyxErrorException(Errno.ENOTDIR);
        string child = ScriptProgram.Child(path, name);
        var stat = await fileSystem.Current.StatAsync(child, measure: false, cancellationToken);
        return new ScriptNode(fileSystem, child, stat.IsDirectory);
    }

    public async ValueTask<IReadOnlyList<DirectoryEntry>> ListAsync(CancellationToken cancellationToken)
    {
        if (!isDirectory) throw new StyxErrorException(Errno.ENOTDIR);
        var program = fileSystem.Current;
        var names = await program.ReaddirAsync(path, cancellationToken);
        var entries = new List<DirectoryEntry>(names.Count);
        foreach (var (name, known) in names)
        {
            string child = ScriptProgram.Child(path, name);
            ScriptStat stat;
            try
            {
                stat = known ?? await program.StatAsync(child, measure: false, cancellationToken);
            }
            catch (StyxErrorException e) when (e.Errno == Errno.ENOENT)
            {
                continue; // listed but gone by the time it was looked at
            }
            entries.Add(new DirectoryEntry(name, new ScriptNode(fileSystem, child, stat.IsDirectory)));
        }
        return entries;
    }

    public async ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken)
    {
        if (isDirectory) throw new StyxErrorException(Errno.EISDIR);
        var program = fileSystem.Current;
        if (options.CanWrite && !program.CanWrite) throw new StyxErrorException(Errno.EACCES, $"script {program.Name} has no write");
        string mode = options.Access switch { OpenAccess.Write => "w", OpenAccess.ReadWrite => "rw", _ => "r" } +
            (options.Truncate ? "t" : "") + (options.Append ? "a" : "");
        var handle = await program.OpenAsync(path, mode, cancellationToken);
        return new ScriptOpenFile(program, path, handle, fileSystem.Logger);
    }

    public async ValueTask<INode> CreateAsync(string name, CreateOptions options, CancellationToken cancellationToken)
    {
        if (!isDirectory) throw new StyxErrorException(Errno.ENOTDIR);
        string type = options.FileType switch
        {
            UnixMode.Directory => "dir",
            UnixMode.Regular or 0 => "file",
            _ => throw new StyxErrorException(Errno.EOPNOTSUPP, "scripts create files and directories only"),
        };
        string child = ScriptProgram.Child(path, name);
        var program = fileSystem.Current;
        await program.CreateAsync(child, type, options.Mode & UnixMode.PermissionMask, cancellationToken);
        var stat = await program.StatAsync(child, measure: false, cancellationToken);
        return new ScriptNode(fileSystem, child, stat.IsDirectory);
    }

    public ValueTask RemoveAsync(CancellationToken cancellationToken) =>
        path == "/" ? throw new StyxErrorException(Errno.EBUSY) : fileSystem.Current.RemoveAsync(path, cancellationToken);

    /// <summary>Size changes go to truncate(path, length) when the script has it; times are accepted and ignored.</summary>
    public async ValueTask SetAttributesAsync(AttributeChanges changes, CancellationToken cancellationToken)
    {
        if (changes.Permissions is not null || changes.Uid is not null || changes.Gid is not null || changes.GroupName is not null)
            throw new StyxErrorException(Errno.EPERM);
        var program = fileSystem.Current;
        if (changes.Size is { } size && program.CanTruncate)
            await program.TruncateAsync(path, (long)Math.Min(size, long.MaxValue), cancellationToken);
    }
}
