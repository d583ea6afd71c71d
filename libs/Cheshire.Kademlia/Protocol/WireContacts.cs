using System.Collections.Concurrent;
using System.Net;
using Cheshire.Kademlia.Routing;
using Cheshire.Kademlia.Wire;

namespace Cheshire.Kademlia.Protocol;

/// <summary>
/// Converts contacts to and from their wire form, remembering recent ones: the same few hundred
/// contacts travel in most node lists, so neither direction need allocate an endpoint or a message
/// for them again. Bounded: past <see cref="Capacity"/> entries it starts over.
/// </summary>
internal sealed class WireContacts
{
    public const int Capacity = 4096;

    private sealed class Known(Contact contact)
    {
        public readonly Contact Contact = contact;
        public NodeInfo? Wire;
    }

    private readonly ConcurrentDictionary<NodeId, Known> _known = new();

    public NodeInfo ToWire(Contact contact)
    {
        var known = Remember(contact);
        return known.Wire ??= MessageCodec.ToWire(contact);
    }

    /// <summary>The valid contacts of a node list, without <paramref name="self"/>, at most <paramref name="max"/>.</summary>
    public List<Contact> FromWire(IList<NodeInfo> nodes, NodeId self, int max)
    {
        var contacts = new List<Contact>(Math.Min(nodes.Count, max));
        foreach (var info in nodes)
        {
            if (contacts.Count >= max) break;
            if (TryFromWire(info, out var contact) && contact.Id != self) contacts.Add(contact);
        }
        return contacts;
    }

    public bool TryFromWire(NodeInfo info, out Contact contact)
    {
        if (NodeId.TryParse(info.Id.Span, out var id) && _known.TryGetValue(id, out var known) && SameEndPoint(known.Contact.EndPoint, info))
        {
            contact = known.Contact;
            return true;
        }
        if (!MessageCodec.TryFromWire(info, out contact)) return false;
        Remember(contact);
        return true;
    }

    private Known Remember(Contact contact)
    {
        if (_known.TryGetValue(contact.Id, out var known) && known.Contact.EndPoint.Equals(contact.EndPoint)) return known;
        if (_known.Count >= Capacity) _known.Clear();
        known = new Known(contact);
        _known[contact.Id] = known;
        return known;
    }

    private static bool SameEndPoint(IPEndPoint endPoint, NodeInfo info)
    {
        if (endPoint.Port != info.Port) return false;
        Span<byte> ip = stackalloc byte[16];
        return endPoint.Address.TryWriteBytes(ip, out var written) && ip[..written].SequenceEqual(info.Ip.Span);
    }
}
