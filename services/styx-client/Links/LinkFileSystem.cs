using Cheshire.Link;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxClient.Links;

/// <summary>
/// What one link serves: Tattach's aname is the path of one of this node's exports, attached for the link's peer if
/// <see cref="ExportAccess"/> lets its uid in, then relayed to styx-provider. The 9P uname is not trusted: the uid is
/// the one the link's certificate proved.
/// </summary>
public sealed class LinkFileSystem(LinkPeer peer, ExportCatalog catalog, ProviderRelays relays, ILogger logger) : IFileSystem
{
    public async ValueTask<INode> AttachAsync(AttachRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var export = ExportAccess.Check(await catalog.ListAsync(cancellationToken), request.Aname, peer.Uid);
            var root = await relays.For(export.Path).AttachAsync(request, cancellationToken);
            logger.LogInformation("{Peer} attached {Path}", peer, export.Path);
            return root;
        }
        catch (StyxErrorException e)
        {
            // 9P2000.L's Rlerror carries only the errno: the reason is in the log too.
            logger.LogInformation("{Peer}: {Reason}", peer, e.Message);
            throw;
        }
    }
}
