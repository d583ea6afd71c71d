using Cheshire.Protos;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cheshire.MainlineDht.Tests;

/// <summary>
/// mainline-dht's settings (section "Mainline") through ServiceDefaults' ModuleConfig on a real module, as
/// Modules.SetConfig forwards them: a bad value is refused with the validator's message, a good one saved for the next start.
/// </summary>
public sealed class ModuleSettingsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MainlineKeysAreCheckedByTheModulesValidatorAndApplyAtTheNextStart()
    {
        await using var mainline = await MainlineService.StartAsync(Ct);
        using var channel = GrpcChannel.ForAddress(mainline.Process.GrpcAddress);
        var config = new ModuleConfig.ModuleConfigClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await config.SetAsync(
            new SetConfigRequest { Key = "Mainline:CheshireDhtPort", Value = "70000" }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: Ct));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("Mainline:CheshireDhtPort 70000 is not a port", error.Status.Detail, StringComparison.Ordinal);

        var saved = await config.SetAsync(new SetConfigRequest { Key = "Mainline:AnnounceInterval", Value = "00:20:00" },
            deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: Ct);
        Assert.False(saved.Live);
        Assert.Contains("next restart", saved.Detail, StringComparison.Ordinal);
    }
}
