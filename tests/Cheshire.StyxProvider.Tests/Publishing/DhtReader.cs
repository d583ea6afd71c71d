using Cheshire.GlobalNamespace;
using Cheshire.Protos.Dht;
using Google.Protobuf;
using Grpc.Core;
using DhtClient = Cheshire.Protos.Dht.Dht.DhtClient;

namespace Cheshire.StyxProvider.Tests.Publishing;

/// <summary>What a reader of the global namespace gets from a dht module's gRPC Get: the values, and the entries that verify.</summary>
internal static class DhtReader
{
    public static async Task<List<Value>> GetAsync(DhtClient dht, string directory, string salt, byte[]? decryptionKey = null)
    {
        var request = new GetRequest { Key = new Key { Id = ByteString.CopyFrom(DirectoryKey.For(directory, salt).ToArray()) } };
        if (decryptionKey is not null) request.DecryptionKey = ByteString.CopyFrom(decryptionKey);
        using var call = dht.Get(request, deadline: DateTime.UtcNow.AddSeconds(20));
        var values = new List<Value>();
        await foreach (var value in call.ResponseStream.ReadAllAsync()) values.Add(value);
        return values;
    }

    /// <summary>The entry a value holds, if it verifies (values still encrypted do not).</summary>
    public static NamespaceEntry? Read(Value value, out string whyNot) =>
        EntryCodec.TryReadSigned(value.Owner.Span, value.Type, value.Id, value.Seq, value.Data.Span, DateTimeOffset.UtcNow, out var entry, out whyNot)
            ? entry : null;

    /// <summary>Every entry of the directory that verifies.</summary>
    public static async Task<List<NamespaceEntry>> EntriesAsync(DhtClient dht, string directory, string salt, byte[]? decryptionKey = null) =>
        [.. (await GetAsync(dht, directory, salt, decryptionKey)).Select(v => Read(v, out _)).OfType<NamespaceEntry>()];

    /// <summary>The directory as <paramref name="viewerUid"/> lists it: label, kind.</summary>
    public static async Task<List<(string Label, EntryKind Kind)>> ListAsync(DhtClient dht, string directory, string salt,
        string? viewerUid = null, byte[]? decryptionKey = null) =>
        [.. EntrySelection.Select(await EntriesAsync(dht, directory, salt, decryptionKey), viewerUid).Select(l => (l.Label, l.Entry.Kind))];
}
