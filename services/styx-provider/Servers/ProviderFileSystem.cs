using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxProvider.Servers;

/// <summary>The provider's one 9P listener serves every server: Tattach's aname is the server's namespace path.</summary>
public sealed class ProviderFileSystem(ServerRegistry registry) : IFileSystem
{
    public ValueTask<INode> AttachAsync(AttachRequest request, CancellationToken cancellationToken)
    {
        if (request.Aname.Length == 0)
            throw new StyxErrorException(Errno.ENOENT, $"attach names a server: one of {Names()}");
        if (!registry.TryGet(request.Aname, out var server))
            throw new StyxErrorException(Errno.ENOENT, $"no server at {request.Aname}; there are {Names()}");
        return server.Tree.AttachAsync(request with { Aname = "" }, cancellationToken);
    }

    private string Names() => registry.Servers.Count == 0 ? "none" : string.Join(", ", registry.Servers.Keys);
}
