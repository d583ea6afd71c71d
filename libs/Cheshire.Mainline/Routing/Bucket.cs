namespace Cheshire.Mainline.Routing;

/// <summary>
/// Bucket <c>i</c> of the table holds the nodes sharing exactly <c>i</c> leading bits with the local id; the last
/// bucket holds every node sharing at least its index, and so contains the local id (the only splittable bucket).
/// </summary>
public sealed class Bucket(int index, DateTimeOffset now)
{
    public int Index { get; } = index;
    public List<RoutingNode> Nodes { get; } = [];

    /// <summary>Candidates waiting for a slot (BEP 5 replacement of bad nodes), verified ones preferred.</summary>
    public List<RoutingNode> Replacements { get; } = [];

    /// <summary>Last time a node was added, replaced, or responded.</summary>
    public DateTimeOffset LastChanged { get; set; } = now;
}
