using Cheshire.Protos;
using Grpc.Core;

namespace Cheshire.Dht.Tests;

/// <summary>
/// The dht's settings (section "Dht") through ServiceDefaults' ModuleConfig on a real dht, as Modules.SetConfig forwards
/// them: a bad value is refused with the validator's message, a good one saved for the next start (none is live).
/// </summary>
public sealed class ModuleSettingsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DhtKeysAreCheckedByTheModulesValidatorAndApplyAtTheNextStart()
    {
        await using var dht = await DhtProcess.StartAsync();
        var config = new ModuleConfig.ModuleConfigClient(dht.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await config.SetAsync(
            new SetConfigRequest { Key = "Dht:Bootstrap:0", Value = "no-port-here" }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: Ct));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("Dht:Bootstrap: 'no-port-here' is not host:port", error.Status.Detail, StringComparison.Ordinal);
        error = await Assert.ThrowsAsync<RpcException>(async () => await config.SetAsync(
            new SetConfigRequest { Key = "dht:port", Value = "70000" }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: Ct));
        Assert.Contains("Dht:Port 70000 (instance 0) is not a UDP port.", error.Status.Detail, StringComparison.Ordinal);

        var saved = await config.SetAsync(new SetConfigRequest { Key = "Dht:Kademlia:Alpha", Value = "4" },
            deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: Ct);
        Assert.Equal("Dht:Kademlia:Alpha", saved.Key);
        Assert.False(saved.Live);
        Assert.Contains("next restart", saved.Detail, StringComparison.Ordinal);
    }
}
