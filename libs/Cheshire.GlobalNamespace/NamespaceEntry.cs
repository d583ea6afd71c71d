using Cheshire.Identity;
using Cheshire.Kademlia;

namespace Cheshire.GlobalNamespace;

/// <summary>
/// One child of a directory in the global namespace, as its owner's node publishes it: the child's name, the owner
/// (user uid, node id, the node's link addresses), what it is, until when it holds, its sequence number, and the
/// user's binding over the node key that proves the uid. <see cref="EntryCodec"/> puts it into a signed DHT value and
/// reads it back, verified. Equality compares every field by value.
/// </summary>
public sealed record NamespaceEntry
{
    /// <summary>Readers refuse entries that claim to hold for longer than this from now (the DHT's own ttl limit).</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(24);

    private readonly DateTimeOffset _expiry;

    /// <summary>One path component (see <see cref="NamespacePath.NameProblem"/>).</summary>
    public required string Name { get; init; }

    /// <summary>hex(SHA1(owner's user public key)): 40 lowercase hex digits.</summary>
    public required string OwnerUid { get; init; }

    /// <summary>SHA1 of the publishing node's public key: the key that signs the DHT value.</summary>
    public required NodeId NodeId { get; init; }

    /// <summary>host:port of the node's link listener (see <see cref="EntryAddress"/>); at least one for an export.</summary>
    public required IReadOnlyList<string> Addresses { get; init; }

    public required EntryKind Kind { get; init; }

    /// <summary>Absolute UTC time after which readers drop the entry; kept to whole milliseconds, as encoded.</summary>
    public required DateTimeOffset Expiry
    {
        get => _expiry;
        init => _expiry = DateTimeOffset.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds());
    }

    /// <summary>Higher replaces lower from the same node; equals the DHT value's seq.</summary>
    public required ulong Seq { get; init; }

    /// <summary>The owner's user key signature over the publishing node's public key.</summary>
    public required UserBinding Binding { get; init; }

    /// <summary>An entry published by <paramref name="node"/> for <paramref name="user"/>, with a fresh binding.</summary>
    public static NamespaceEntry Create(string name, EntryKind kind, NodeIdentity node, UserIdentity user,
        IEnumerable<string> addresses, DateTimeOffset expiry, ulong seq) =>
        Create(name, kind, node, UserBinding.Create(user, node.PublicKey), addresses, expiry, seq);

    /// <summary>An entry published by <paramref name="node"/> with a binding made once for it.</summary>
    public static NamespaceEntry Create(string name, EntryKind kind, NodeIdentity node, UserBinding binding,
        IEnumerable<string> addresses, DateTimeOffset expiry, ulong seq)
    {
        var entry = new NamespaceEntry
        {
            Name = name,
            OwnerUid = binding.Uid,
            NodeId = new NodeId(node.NodeId),
            Addresses = [.. addresses],
            Kind = kind,
            Expiry = expiry,
            Seq = seq,
            Binding = binding,
        };
        if (entry.ShapeProblem() is { } problem)
            throw new ArgumentException($"Not a valid namespace entry: {problem}");
        return entry;
    }

    /// <summary>The DHT value id of this entry (see <see cref="EntryCodec.ValueId"/>).</summary>
    public ulong ValueId => EntryCodec.ValueId(Name, OwnerUid, NodeId);

    /// <summary>Why the fields themselves are not a valid entry (name, uid, kind, addresses), or null.</summary>
    internal string? ShapeProblem()
    {
        if (NamespacePath.NameProblem(Name) is { } name)
            return name;
        if (OwnerUid is null || OwnerUid.Length != 40 || !OwnerUid.All(char.IsAsciiHexDigitLower))
            return $"the owner uid '{OwnerUid}' is not 40 lowercase hex digits.";
        if (!Enum.IsDefined(Kind))
            return $"the kind {(int)Kind} is not one this reader knows.";
        if (Addresses is null)
            return "the addresses are missing.";
        if (Addresses.Count > EntryAddress.MaxCount)
            return $"{Addresses.Count} addresses is more than {EntryAddress.MaxCount}.";
        foreach (var address in Addresses)
            if (EntryAddress.Problem(address) is { } bad)
                return bad;
        if (Kind == EntryKind.Export && Addresses.Count == 0)
            return "an export entry names no address to dial.";
        if (Binding is null)
            return "the user binding is missing.";
        return null;
    }

    public bool Equals(NamespaceEntry? other) =>
        other is not null && Name == other.Name && OwnerUid == other.OwnerUid && NodeId == other.NodeId &&
        Addresses.SequenceEqual(other.Addresses) && Kind == other.Kind && Expiry == other.Expiry && Seq == other.Seq &&
        Binding.UserPublicKey.AsSpan().SequenceEqual(other.Binding.UserPublicKey) &&
        Binding.Signature.AsSpan().SequenceEqual(other.Binding.Signature);

    public override int GetHashCode() => HashCode.Combine(Name, OwnerUid, NodeId, Kind, Expiry, Seq);

    public override string ToString() =>
        $"{Kind} '{Name}' of {OwnerUid} on node {NodeId} seq {Seq} until {Expiry:u} at [{string.Join(", ", Addresses)}]";
}
