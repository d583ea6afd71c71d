using System.Collections.Concurrent;
using Cheshire.Protos.Modules;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;
using Cheshire.StyxProvider.Control.Files;

namespace Cheshire.StyxProvider.Control.Modules;

/// <summary>
/// The root of /modules: the file <c>list</c> and one directory per module the supervisor has (its List, in dependency
/// order). A name is walked to without asking the supervisor when the last listing had it, else after a Get (ENOENT
/// for no such module). While the supervisor cannot be reached, a listing shows the modules last listed at once, or
/// only <c>list</c> (whose read says "supervisor unavailable: …") when none were ever listed, so that a walk of the
/// whole namespace (find, du) does not fail on a node whose supervisor is down or absent.
/// </summary>
public sealed class ModulesDirectory : ControlNode, IFileSystem, INode
{
    private readonly ModulesCalls _calls;
    private readonly GeneratedFile _list;
    private readonly Func<string, ControlDirectory> _build;
    private readonly ConcurrentDictionary<string, ControlDirectory> _modules = new(StringComparer.Ordinal);
    private volatile string[] _known = [];

    public ModulesDirectory(Qid qid, GeneratedFile list, ModulesCalls calls, Func<string, ControlDirectory> build)
        : base("/", UnixMode.Directory | 0x16D /* 0555 */, qid)
    {
        _list = list;
        _calls = calls;
        _build = build;
    }

    /// <summary>Remembers the names of a List reply, for walks and for listings while the supervisor is down.</summary>
    public void Remember(ListModulesReply reply) => _known = [.. reply.Modules.Select(m => m.Name)];

    public ValueTask<INode> AttachAsync(AttachRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<INode>(this);

    public async ValueTask<INode> LookupAsync(string name, CancellationToken cancellationToken)
    {
        if (name == _list.Name) return _list;
        if (_modules.TryGetValue(name, out var known) || _known.Contains(name)) return known ?? Module(name);
        if (!IsModuleName(name)) throw NoSuchModule(name);
        await _calls.RunAsync((client, deadline) => client.GetAsync(new ModuleRequest { Name = name }, deadline: deadline,
            cancellationToken: cancellationToken).ResponseAsync, ModulesCalls.ReadDeadline, cancellationToken);
        return Module(name);
    }

    public async ValueTask<IReadOnlyList<DirectoryEntry>> ListAsync(CancellationToken cancellationToken)
    {
        var names = _known;
        if (!_calls.State.RecentlyUnreachable || names.Length == 0)
        {
            try
            {
                var reply = await _calls.RunAsync((client, deadline) => client.ListAsync(new ListModulesRequest(), deadline: deadline,
                    cancellationToken: cancellationToken).ResponseAsync, ModulesCalls.ReadDeadline, cancellationToken);
                Remember(reply);
                names = _known;
            }
            catch (StyxErrorException e) when (ModuleErrors.IsUnavailable(e))
            {
            }
        }
        return [new DirectoryEntry(_list.Name, _list), .. names.Select(n => new DirectoryEntry(n, Module(n)))];
    }

    public override ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken) =>
        throw new StyxErrorException(Errno.EISDIR);

    public ValueTask<INode> CreateAsync(string name, CreateOptions options, CancellationToken cancellationToken) =>
        throw new StyxErrorException(Errno.EROFS, $"{ModulesTree.Mount}: modules are not created here");

    private ControlDirectory Module(string name) => _modules.GetOrAdd(name, _build);

    private static StyxErrorException NoSuchModule(string name) =>
        new(Errno.ENOENT, $"{ModulesCalls.Label}: no module named '{name}'");

    /// <summary>A resource name as the AppHost makes them (module.json names, "-i" for instances).</summary>
    private static bool IsModuleName(string name) =>
        name.Length is > 0 and <= 63 && name[0] != '-' && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');
}
