using System.Reflection;
using Cheshire.GlobalNamespace;
using Cheshire.Identity;
using Cheshire.Kademlia;
using Cheshire.Kademlia.Values;

namespace Cheshire.GlobalNamespace.Tests;

/// <summary>A node and its user, publishing entries as a provider would.</summary>
internal sealed class Publisher : IDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    public const string Salt = "test-network";

    public Publisher(UserIdentity? user = null)
    {
        Node = NodeIdentity.Generate();
        User = user ?? UserIdentity.Generate();
    }

    public NodeIdentity Node { get; }
    public UserIdentity User { get; }

    /// <summary>Another node of the same user (the user key copied there).</summary>
    public Publisher SecondNode() => new(UserIdentity.FromSeed(User.ExportSeed()));

    public NamespaceEntry Entry(string name, EntryKind kind = EntryKind.Export, ulong seq = 1, TimeSpan? lifetime = null,
        params string[] addresses) =>
        NamespaceEntry.Create(name, kind, Node, User, addresses.Length > 0 ? addresses : ["127.0.0.1:7400", "[::1]:7400"],
            Now + (lifetime ?? TimeSpan.FromHours(1)), seq);

    public DhtValue Value(NamespaceEntry entry, string directory = "/alice", bool encrypt = false) =>
        EntryCodec.ToDhtValue(entry, DirectoryKey.For(directory, Salt), Node, User, encrypt, Now);

    public void Dispose()
    {
        Node.Dispose();
        User.Dispose();
    }
}

/// <summary>
/// What a hostile DHT node could hand out: a copy of a value with its wire fields changed after signing. The engine
/// offers no public way to do that (and itself drops such values on receipt), so the copy is made by reflection.
/// </summary>
internal static class Hostile
{
    public static DhtValue Altered(DhtValue value, Action<Cheshire.Kademlia.Wire.Value> change)
    {
        var wireProperty = typeof(DhtValue).GetProperty("Wire", BindingFlags.Instance | BindingFlags.NonPublic)!;
        var wire = ((Cheshire.Kademlia.Wire.Value)wireProperty.GetValue(value)!).Clone();
        change(wire);
        var constructor = typeof(DhtValue).GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic, [typeof(Cheshire.Kademlia.Wire.Value)])!;
        return (DhtValue)constructor.Invoke([wire]);
    }

    /// <summary>What a misbehaving or hostile publisher could put: the entry signed as is, without the publishing checks.</summary>
    public static DhtValue SignedAnyway(NamespaceEntry entry, NodeIdentity signer, string directory = "/alice")
    {
        return DhtValue.Signed(DirectoryKey.For(directory, Publisher.Salt), EntryCodec.ValueId(entry.Name, entry.OwnerUid, entry.NodeId),
            entry.Seq, EntryCodec.EncodeUnchecked(entry), signer, TimeSpan.FromHours(1), EntryCodec.TypeTag);
    }
}

internal static class Read
{
    public static (bool Ok, NamespaceEntry Entry, string WhyNot) Value(DhtValue value, string directory = "/alice",
        EncryptionKeyPair? key = null, DateTimeOffset? now = null, string salt = Publisher.Salt)
    {
        var ok = EntryCodec.TryRead(value, DirectoryKey.For(directory, salt), now ?? Publisher.Now, key, out var entry, out var whyNot);
        return (ok, entry, whyNot);
    }
}
