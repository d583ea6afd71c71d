using System.Collections.Immutable;
using Cheshire.StyxProvider.Config;
using Cheshire.Styx.FileSystem;

namespace Cheshire.StyxProvider.Servers;

/// <summary>
/// The servers the provider runs, by namespace path: the node's built-in trees and those of the exports file and API.
/// <see cref="ApplyAsync"/> moves to a new set of definitions, starting what is new or changed and closing what went.
/// Readers see an immutable snapshot.
/// </summary>
public sealed class ServerRegistry(ServerFactory factory, ILogger<ServerRegistry> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _apply = new(1, 1);
    private ImmutableSortedDictionary<string, RunningServer> _servers = ImmutableSortedDictionary.Create<string, RunningServer>(StringComparer.Ordinal);

    /// <summary>Raised after the set of servers changed.</summary>
    public event Action? Changed;

    public IReadOnlyDictionary<string, RunningServer> Servers => Volatile.Read(ref _servers);

    public bool TryGet(string path, out RunningServer server) => Servers.TryGetValue(path, out server!);

    /// <summary>Adds a tree of the node itself (control trees); it is never replaced by the exports file.</summary>
    public void AddBuiltIn(string path, IFileSystem tree, string description)
    {
        _apply.Wait();
        try
        {
            Volatile.Write(ref _servers, _servers.Add(path, new RunningServer(path, null, tree, description)));
        }
        finally
        {
            _apply.Release();
        }
        Changed?.Invoke();
    }

    /// <summary>Runs exactly <paramref name="definitions"/> (besides the built-in trees). A server that fails to start is logged and left out.</summary>
    public async Task ApplyAsync(IReadOnlyList<ServerDefinition> definitions, ServerValidator paths, CancellationToken ct)
    {
        await _apply.WaitAsync(ct);
        var retired = new List<RunningServer>();
        bool changed = false;
        try
        {
            var current = _servers;
            var wanted = definitions.ToDictionary(d => d.Path, StringComparer.Ordinal);
            var next = current;
            foreach (var (path, server) in current)
            {
                if (server.IsBuiltIn) continue;
                if (wanted.TryGetValue(path, out var definition) && definition.SameAs(server.Definition!)) continue;
                next = next.Remove(path);
                retired.Add(server);
            }
            foreach (var definition in definitions)
            {
                if (next.ContainsKey(definition.Path)) continue;
                try
                {
                    var started = factory.Start(definition, paths);
                    next = next.Add(definition.Path, started);
                    logger.LogInformation("Serving {Path}: {Description}", definition.Path, started.Description);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Cannot start the server at {Path}: {Message}", definition.Path, e.Message);
                }
            }
            changed = retired.Count > 0 || next.Count != current.Count;
            Volatile.Write(ref _servers, next);
        }
        finally
        {
            _apply.Release();
        }
        foreach (var server in retired)
        {
            logger.LogInformation("Stopped serving {Path}", server.Path);
            await server.DisposeAsync();
        }
        if (changed) Changed?.Invoke();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in Interlocked.Exchange(ref _servers, _servers.Clear()).Values)
            await server.DisposeAsync();
    }
}
