using System.Collections.Concurrent;
using Cheshire.Styx.Remote;

namespace Cheshire.StyxClient.Links;

/// <summary>
/// One 9P session to styx-provider per export served over links (aname = the export's path), shared by every link that
/// attaches it. A session that drops (the provider restarted) is dialled again at the next attach.
/// </summary>
public sealed class ProviderRelays(LinkSettings settings) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, RemoteFileSystem> _exports = new(StringComparer.Ordinal);

    public RemoteFileSystem For(string path) =>
        _exports.GetOrAdd(path, p => RemoteFileSystem.Create(RemoteFileSystem.UnixDialer(settings.ProviderSocket), aname: p));

    public async ValueTask DisposeAsync()
    {
        foreach (var relay in _exports.Values) await relay.DisposeAsync();
        _exports.Clear();
    }
}
