using System.Security.Cryptography;
using System.Text;
using Cheshire.Kademlia.Values;
using Cheshire.Protos.Dht;
using ValueKind = Cheshire.Protos.Dht.ValueKind;
using Google.Protobuf;
using Grpc.Core;

namespace Cheshire.Dht.Tests;

/// <summary>Put on one service instance, get on the others: plain, signed and encrypted values.</summary>
[Collection(nameof(ClusterCollection))]
public sealed class ValueTests(DhtCluster cluster)
{
    [Fact]
    public async Task APlainValuePutOnOneNodeIsFoundOnTheOthers()
    {
        var key = Values.UniqueKey("plain");
        var put = await cluster[0].Client.PutAsync(new PutRequest { Key = key, Data = Values.Text("hello") }, deadline: Values.Deadline());

        Assert.Equal(SHA1.HashData(Encoding.UTF8.GetBytes(key.Name)), put.Key.ToByteArray());
        Assert.NotEqual(0ul, put.ValueId);
        Assert.Equal(DhtCluster.Size, put.Stored);
        foreach (var node in cluster.Nodes.Skip(1))
        {
            // the same key given as its 20 raw bytes
            var values = await node.Client.GetAllAsync(new GetRequest { Key = new Key { Id = put.Key } });
            var value = Assert.Single(values);
            Assert.Equal("hello", value.Data.ToStringUtf8());
            Assert.Equal(put.ValueId, value.Id);
            Assert.Equal(ValueKind.Plain, value.Kind);
            Assert.True(value.Owner.IsEmpty);
        }
    }

    [Fact]
    public async Task ValuesOfTheFullSixtyFourKibibytesArePutAndFoundAcrossProcesses()
    {
        var key = Values.UniqueKey("big");
        var data = RandomNumberGenerator.GetBytes(64 * 1024);
        var put = await cluster[1].Client.PutAsync(new PutRequest { Key = key, Data = ByteString.CopyFrom(data), Kind = ValueKind.Signed }, deadline: Values.Deadline());
        Assert.Equal(DhtCluster.Size, put.Stored);

        var value = Assert.Single(await cluster[0].Client.GetAllAsync(new GetRequest { Key = key }));
        Assert.Equal(data, value.Data.ToByteArray());
        Assert.Equal(ValueKind.Signed, value.Kind);
    }

    [Fact]
    public async Task ManyValuesUnderOneKeyAreAllReturned()
    {
        var key = Values.UniqueKey("multi");
        for (var i = 0; i < 5; i++)
            await cluster[i % DhtCluster.Size].Client.PutAsync(new PutRequest { Key = key, Data = Values.Text($"child {i}") }, deadline: Values.Deadline());

        var values = await cluster[2].Client.GetAllAsync(new GetRequest { Key = key });

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"child {i}"), values.Select(v => v.Data.ToStringUtf8()).Order());
    }

    [Fact]
    public async Task ASignedValueCarriesThePuttingNodesKeyAndOnlyAHigherSeqReplacesIt()
    {
        var key = Values.UniqueKey("signed");
        var signer = cluster[1];
        var first = await signer.Client.PutAsync(new PutRequest { Key = key, Data = Values.Text("v1"), Kind = ValueKind.Signed, Seq = 5 },
            deadline: Values.Deadline());

        var found = Assert.Single(await cluster[2].Client.GetAllAsync(new GetRequest { Key = key }));
        Assert.Equal(ValueKind.Signed, found.Kind);
        Assert.Equal(signer.Info.SigningKey, Convert.ToHexStringLower(found.Owner.ToByteArray()));
        Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(found.Owner.ToByteArray())), found.OwnerId);
        Assert.Equal(5ul, found.Seq);

        await signer.Client.PutAsync(new PutRequest { Key = key, ValueId = first.ValueId, Data = Values.Text("v2"), Kind = ValueKind.Signed, Seq = 6 },
            deadline: Values.Deadline());
        var replaced = Assert.Single(await cluster[0].Client.GetAllAsync(new GetRequest { Key = key }));
        Assert.Equal("v2", replaced.Data.ToStringUtf8());
        Assert.Equal(6ul, replaced.Seq);

        var stale = await Assert.ThrowsAsync<RpcException>(() => signer.Client.PutAsync(
            new PutRequest { Key = key, ValueId = first.ValueId, Data = Values.Text("old"), Kind = ValueKind.Signed, Seq = 4 },
            deadline: Values.Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, stale.StatusCode);
        Assert.Contains("STALE_SEQ", stale.Status.Detail);

        // another node may not take over the value id: it is not the owner
        var foreign = await Assert.ThrowsAsync<RpcException>(() => cluster[0].Client.PutAsync(
            new PutRequest { Key = key, ValueId = first.ValueId, Data = Values.Text("mine"), Kind = ValueKind.Signed, Seq = 99 },
            deadline: Values.Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, foreign.StatusCode);
        Assert.Contains("NOT_OWNER", foreign.Status.Detail);
    }

    [Fact]
    public async Task AnEncryptedValueOpensOnlyWithTheRecipientsKey()
    {
        using var recipient = EncryptionKeyPair.Generate();
        using var stranger = EncryptionKeyPair.Generate();
        var key = Values.UniqueKey("sealed");
        await cluster[0].Client.PutAsync(new PutRequest
        {
            Key = key, Data = Values.Text("for your eyes"), Kind = ValueKind.Encrypted, RecipientKey = ByteString.CopyFrom(recipient.PublicKey),
        }, deadline: Values.Deadline());

        var opened = Assert.Single(await cluster[2].Client.GetAllAsync(
            new GetRequest { Key = key, DecryptionKey = ByteString.CopyFrom(recipient.ExportPrivateKey()) }));
        Assert.True(opened.Decrypted);
        Assert.Equal("for your eyes", opened.Data.ToStringUtf8());
        Assert.Equal(ValueKind.Encrypted, opened.Kind);
        Assert.Equal(recipient.PublicKeyFingerprint, opened.Recipient.ToByteArray());
        Assert.Equal(cluster[0].Info.SigningKey, Convert.ToHexStringLower(opened.Owner.ToByteArray()));

        var sealedValue = Assert.Single(await cluster[1].Client.GetAllAsync(new GetRequest { Key = key }));
        Assert.False(sealedValue.Decrypted);
        Assert.Equal("for your eyes".Length + 48, sealedValue.Data.Length);
        Assert.DoesNotContain("for your eyes", Encoding.UTF8.GetString(sealedValue.Data.Span));

        var wrongKey = Assert.Single(await cluster[1].Client.GetAllAsync(
            new GetRequest { Key = key, DecryptionKey = ByteString.CopyFrom(stranger.ExportPrivateKey()) }));
        Assert.False(wrongKey.Decrypted);
        Assert.Equal(sealedValue.Data, wrongKey.Data);
    }
}
