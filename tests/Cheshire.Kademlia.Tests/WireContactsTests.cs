using System.Net;
using Cheshire.Kademlia.Protocol;
using Cheshire.Kademlia.Routing;

namespace Cheshire.Kademlia.Tests;

public sealed class WireContactsTests
{
    [Fact]
    public void AContactThatMovedIsDecodedAtItsNewEndPoint()
    {
        var cache = new WireContacts();
        var id = NodeId.Random();
        var before = new Contact(id, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 4222));
        var after = new Contact(id, new IPEndPoint(IPAddress.Parse("192.0.2.9"), 4223));

        Assert.True(cache.TryFromWire(MessageCodec.ToWire(before), out var first));
        Assert.Equal(before, first);
        Assert.True(cache.TryFromWire(MessageCodec.ToWire(after), out var moved));
        Assert.Equal(after, moved);
        Assert.Equal(MessageCodec.ToWire(after), cache.ToWire(after));
        Assert.Equal(MessageCodec.ToWire(before), cache.ToWire(before));
    }

    [Fact]
    public void NodeListsDropSelfInvalidEntriesAndStopAtTheLimit()
    {
        var cache = new WireContacts();
        var self = NodeId.Random();
        var wire = Enumerable.Range(1, 10).Select(i => MessageCodec.ToWire(new Contact(NodeId.Random(), new IPEndPoint(IPAddress.Loopback, 5000 + i)))).ToList();
        wire.Insert(3, MessageCodec.ToWire(new Contact(self, new IPEndPoint(IPAddress.Loopback, 4999))));
        wire.Insert(5, new Wire.NodeInfo { Id = wire[0].Id, Ip = Google.Protobuf.ByteString.CopyFrom(1, 2, 3), Port = 1 });
        Assert.Equal(10, cache.FromWire(wire, self, 20).Count);
        Assert.Equal(4, cache.FromWire(wire, self, 4).Count);
        Assert.DoesNotContain(cache.FromWire(wire, self, 20), c => c.Id == self);
    }
}
