using System.Collections.Concurrent;
using Cheshire.Styx.Namespaces;
using Cheshire.Styx.Remote;

namespace Cheshire.Styx.Tests.Namespaces;

/// <summary>
/// A resolver over a fixed global namespace: directories with their names, and exports that are real 9P servers on
/// 127.0.0.1 (each resolve dials a new connection, as styx-root does to styx-client's socket).
/// </summary>
internal sealed class TableResolver : INamespaceResolver
{
    private readonly Dictionary<string, List<RemoteName>> _directories = new(StringComparer.Ordinal) { ["/"] = [] };
    private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LoopbackServer> _exports = new(StringComparer.Ordinal);

    /// <summary>Every path asked (resolves and listings), in order.</summary>
    public ConcurrentQueue<string> Asked { get; } = new();

    /// <summary>The trees handed out, in order.</summary>
    public ConcurrentQueue<RemoteFileSystem> Trees { get; } = new();

    /// <summary>Set: every call fails with it (the importing module is down).</summary>
    public Exception? Failure { get; set; }

    private readonly TaskCompletionSource _together = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _exportResolves;

    /// <summary>Export resolves wait until this many are under way (walks that race to mount one path).</summary>
    public int ExportsTogether { get; set; } = 1;

    /// <summary>Set: every call waits forever, ignoring cancellation (a peer that never answers).</summary>
    public bool Hang { get; set; }

    public TableResolver Directory(string path, params string[] names)
    {
        _directories[path] = [.. names.Select(n => new RemoteName(n))];
        return this;
    }

    /// <summary>Adds <paramref name="child"/> to <paramref name="directory"/>; its alias, if any, resolves as its name.</summary>
    public TableResolver Child(string directory, RemoteName child)
    {
        _directories[directory].Add(child);
        if (child.Alias is { } alias) _aliases[Combine(directory, alias)] = Combine(directory, child.Name);
        return this;
    }

    /// <summary>The path with an alias on the way replaced by the name it stands for.</summary>
    private string Named(string path)
    {
        foreach (var (alias, name) in _aliases)
        {
            if (path == alias || path.StartsWith(alias + "/", StringComparison.Ordinal)) return name + path[alias.Length..];
        }
        return path;
    }

    private static string Combine(string directory, string name) => directory == "/" ? "/" + name : directory + "/" + name;

    public TableResolver Export(string path, LoopbackServer server)
    {
        _exports[path] = server;
        return this;
    }

    public async ValueTask<ResolvedPath?> ResolveAsync(string path, CancellationToken cancellationToken)
    {
        await Answer(path);
        var named = Named(path);
        if (_exports.TryGetValue(named, out var server))
        {
            if (Interlocked.Increment(ref _exportResolves) >= ExportsTogether) _together.TrySetResult();
            await _together.Task.WaitAsync(cancellationToken);
            var tree = RemoteFileSystem.Create(RemoteFileSystem.TcpDialer("127.0.0.1", server.Port), uname: "glenda");
            Trees.Enqueue(tree);
            return ResolvedPath.Export(path, tree, "", $"import {path} from test");
        }
        return _directories.ContainsKey(named) ? ResolvedPath.Directory(path, Looks.GetValueOrDefault(named)) : null;
    }

    /// <summary>How resolved directories look, by path.</summary>
    public Dictionary<string, RemoteLook> Looks { get; } = new(StringComparer.Ordinal);

    public async ValueTask<IReadOnlyList<RemoteName>> ListAsync(string directoryPath, CancellationToken cancellationToken)
    {
        await Answer(directoryPath);
        var named = Named(directoryPath);
        return _directories.TryGetValue(named, out var names) ? names : [];
    }

    private async Task Answer(string path)
    {
        Asked.Enqueue(path);
        if (Hang) await new TaskCompletionSource().Task;
        if (Failure is { } failure) throw failure;
        await Task.Yield();
    }
}
