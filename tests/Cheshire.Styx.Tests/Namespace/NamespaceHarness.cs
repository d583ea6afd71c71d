using Cheshire.Styx.Namespaces;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Tests.Namespaces;

/// <summary>A namespace served on 127.0.0.1 and one attached 9P client.</summary>
internal sealed class NamespaceHarness : IAsyncDisposable
{
    private NamespaceHarness(Namespace ns, LoopbackServer server)
    {
        Namespace = ns;
        Server = server;
    }

    public Namespace Namespace { get; }
    public LoopbackServer Server { get; }

    public static NamespaceHarness Start(Namespace? ns = null)
    {
        ns ??= new Namespace();
        return new NamespaceHarness(ns, new LoopbackServer(ns));
    }

    public async Task<NinePClient> ConnectAsync(string version = DialectNames.Linux, string aname = "") =>
        await NinePClient.AttachAsync(await Server.ConnectAsync(version), aname: aname);

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
