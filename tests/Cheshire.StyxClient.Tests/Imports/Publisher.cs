using Cheshire.GlobalNamespace;
using Cheshire.Identity;
using Cheshire.Protos.Dht;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using DhtClient = Cheshire.Protos.Dht.Dht.DhtClient;

namespace Cheshire.StyxClient.Tests.Imports;

/// <summary>Puts namespace entries through the dht module's gRPC API, as the GlobalNamespace README says a provider does.</summary>
internal sealed class Publisher(DhtClient dht, NodeIdentity node, string salt)
{
    public static readonly string[] Addresses = ["127.0.0.1:7400"];

    public NamespaceEntry Entry(UserIdentity owner, string name, EntryKind kind = EntryKind.Export, ulong seq = 1,
        IEnumerable<string>? addresses = null, NodeIdentity? signer = null) =>
        NamespaceEntry.Create(name, kind, signer ?? node, owner, addresses ?? Addresses, DateTimeOffset.UtcNow.AddHours(1), seq);

    /// <summary>Publishes <paramref name="entry"/> as a child of <paramref name="directory"/>.</summary>
    /// <summary><paramref name="owner"/>'s /alice/music served at <paramref name="address"/>: /alice a directory of /, music an export of it.</summary>
    public async Task PutAliceMusicAsync(UserIdentity owner, string address)
    {
        await PutAsync("/", Entry(owner, "alice", EntryKind.Directory, addresses: [address]));
        await PutAsync("/alice", Entry(owner, "music", addresses: [address]));
    }

    public Task PutAsync(string directory, NamespaceEntry entry, UserIdentity? sealedTo = null) =>
        PutRawAsync(directory, EntryCodec.Encode(entry), entry.ValueId, entry.Seq, sealedTo);

    /// <summary>Any data under the directory's key, signed by the dht's node (or sealed to an owner key and signed).</summary>
    public async Task PutRawAsync(string directory, byte[] data, ulong valueId, ulong seq, UserIdentity? sealedTo = null,
        ValueKind kind = ValueKind.Signed)
    {
        var request = new PutRequest
        {
            Key = new Key { Id = ByteString.CopyFrom(DirectoryKey.For(directory, salt).ToArray()) },
            Data = ByteString.CopyFrom(data),
            ValueId = valueId,
            Seq = kind == ValueKind.Plain ? 0 : seq, // the dht stamps a plain value's seq itself
            Ttl = Duration.FromTimeSpan(TimeSpan.FromHours(1)),
            Type = EntryCodec.TypeTag,
            Kind = sealedTo is null ? kind : ValueKind.Encrypted,
        };
        if (sealedTo is not null) request.RecipientKey = ByteString.CopyFrom(OwnerEncryption.PublicKey(sealedTo));
        await dht.PutAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
    }
}
