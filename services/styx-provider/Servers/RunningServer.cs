using Cheshire.StyxProvider.Config;
using Cheshire.Styx.FileSystem;

namespace Cheshire.StyxProvider.Servers;

/// <summary>A server the provider serves: its definition (null for the node's built-in trees) and its tree.</summary>
public sealed class RunningServer(string path, ServerDefinition? definition, IFileSystem tree, string description) : IAsyncDisposable
{
    public string Path { get; } = path;
    public ServerDefinition? Definition { get; } = definition;
    public IFileSystem Tree { get; } = tree;

    /// <summary>What the tree is, for listings: "export /home/alice", "proxy tcp!127.0.0.1!564 /srv", "js clock.js".</summary>
    public string Description { get; } = description;

    public bool IsBuiltIn => Definition is null;

    public async ValueTask DisposeAsync()
    {
        if (IsBuiltIn) return; // built-in trees live as long as the module
        switch (Tree)
        {
            case IAsyncDisposable asyncDisposable: await asyncDisposable.DisposeAsync(); break;
            case IDisposable disposable: disposable.Dispose(); break;
        }
    }
}
