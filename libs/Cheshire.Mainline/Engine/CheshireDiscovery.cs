using System.Net;

namespace Cheshire.Mainline.Engine;

/// <summary>How Cheshire nodes find each other on the Mainline DHT: a well-known infohash per network salt.</summary>
public static class CheshireDiscovery
{
    /// <summary>SHA1("cheshire:" + salt): the infohash every node of one Cheshire network announces.</summary>
    public static NodeId Infohash(string salt) => NodeId.Sha1("cheshire:" + salt);

    /// <summary>Announces this node's Cheshire DHT port under the network's infohash.</summary>
    public static Task<AnnounceResult> AnnounceCheshireAsync(this MainlineNode node, string salt, int cheshireDhtPort, CancellationToken cancellationToken = default) =>
        node.AnnounceAsync(Infohash(salt), cheshireDhtPort, impliedPort: false, cancellationToken);

    /// <summary>Cheshire DHT endpoints of other nodes of the network.</summary>
    public static Task<IReadOnlyList<IPEndPoint>> FindCheshirePeersAsync(this MainlineNode node, string salt, CancellationToken cancellationToken = default) =>
        node.GetPeersAsync(Infohash(salt), cancellationToken);
}
