using Cheshire.GlobalNamespace;
using Cheshire.Identity;
using Cheshire.Protos.Dht;
using Google.Protobuf;
using Grpc.Core;
using DhtClient = Cheshire.Protos.Dht.Dht.DhtClient;

namespace Cheshire.StyxClient.Imports;

/// <summary>
/// One directory of the global namespace, read from the DHT: a gRPC Get of its directory key (one value per child),
/// each value verified with <see cref="EntryCodec.TryReadSigned"/> (owner-only entries opened with this user's owner
/// key). A value that does not verify is dropped with a debug line saying why.
/// </summary>
public sealed class DhtDirectoryReader(DhtClient dht, ImportsSettings settings, UserIdentity user, TimeProvider clock,
    ILogger<DhtDirectoryReader> logger)
{
    public const string Module = "dht";

    private readonly byte[] _ownerKey = OwnerKey(user);

    /// <summary>
    /// The verified entries under <paramref name="directory"/> (a path of names). Complete is false when the lookup
    /// ran into <see cref="ImportsSettings.LookupTimeout"/> before it converged (what arrived until then is kept).
    /// </summary>
    public async Task<(IReadOnlyList<NamespaceEntry> Entries, bool Complete)> ReadAsync(string directory, CancellationToken ct)
    {
        var key = DirectoryKey.For(directory, settings.Salt);
        var request = new GetRequest
        {
            Key = new Key { Id = ByteString.CopyFrom(key.ToArray()) },
            DecryptionKey = ByteString.CopyFrom(_ownerKey),
        };
        var entries = new List<NamespaceEntry>();
        var values = 0;
        Task<Metadata>? headers = null;
        try
        {
            using var call = dht.Get(request, deadline: DateTime.UtcNow + settings.LookupTimeout, cancellationToken: ct);
            headers = call.ResponseHeadersAsync;
            while (await call.ResponseStream.MoveNext(ct))
            {
                values++;
                if (Verify(directory, call.ResponseStream.Current) is { } entry)
                    entries.Add(entry);
            }
            logger.LogDebug("DHT get of {Directory}: {Values} values, {Entries} verified", directory, values, entries.Count);
            return (entries, true);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded && !ct.IsCancellationRequested)
        {
            // The dht answers a Get with its headers before it looks anything up; none means it was never reached (the
            // module client retried until the deadline), which is no "not found".
            if (headers is not { IsCompletedSuccessfully: true })
                throw new RpcException(new Status(StatusCode.Unavailable, $"no answer within {settings.LookupTimeout.TotalSeconds:0} s"));
            logger.LogDebug("DHT get of {Directory} did not converge within {Timeout}: {Count} entries so far", directory,
                settings.LookupTimeout, entries.Count);
            return (entries, false);
        }
    }

    private NamespaceEntry? Verify(string directory, Value value)
    {
        if (value.Kind == ValueKind.Encrypted && !value.Decrypted)
        {
            logger.LogDebug("{Directory}: value {Id:x16} dropped: sealed to another owner's key", directory, value.Id);
            return null;
        }
        if (EntryCodec.TryReadSigned(value.Owner.Span, value.Type, value.Id, value.Seq, value.Data.Span, clock.GetUtcNow(),
                out var entry, out var whyNot))
            return entry;
        logger.LogDebug("{Directory}: value {Id:x16} from node {Node} dropped: {Reason}", directory, value.Id,
            value.OwnerId is { Length: > 0 } node ? node : "(none)", whyNot);
        return null;
    }

    private static byte[] OwnerKey(UserIdentity user)
    {
        using var pair = OwnerEncryption.KeyPair(user);
        return pair.ExportPrivateKey();
    }
}
