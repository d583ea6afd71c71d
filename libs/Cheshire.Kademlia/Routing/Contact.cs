using System.Net;

namespace Cheshire.Kademlia.Routing;

/// <summary>A remote node: its id and the UDP endpoint it answers on.</summary>
public readonly record struct Contact(NodeId Id, IPEndPoint EndPoint)
{
    public override string ToString() => $"{Id}@{EndPoint}";
}

/// <summary>A contact as the routing table sees it.</summary>
public sealed record ContactState(Contact Contact, DateTimeOffset LastSeen, int Failures);

/// <summary>One bucket of the routing table: contacts sharing <see cref="PrefixLength"/> bits with us.</summary>
public sealed record BucketSnapshot(int PrefixLength, bool HoldsSelf, DateTimeOffset LastChanged, IReadOnlyList<ContactState> Contacts, IReadOnlyList<Contact> Replacements);

/// <summary>What <see cref="RoutingTable.Seen"/> did with a contact.</summary>
public enum SeenResult
{
    Ignored,
    Added,
    Refreshed,
    /// <summary>The bucket is full; the contact waits in the replacement cache. Ping the least recently seen.</summary>
    Cached,
}
