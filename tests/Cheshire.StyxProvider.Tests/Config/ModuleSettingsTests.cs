using Cheshire.Protos;
using Cheshire.Testing;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cheshire.StyxProvider.Tests.Config;

/// <summary>
/// styx-provider's settings (sections "Provider" and "Publishing") through ServiceDefaults' ModuleConfig on a real
/// module, as Modules.SetConfig forwards them: bad values are refused with the validators' messages.
/// </summary>
public sealed class ModuleSettingsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ProviderAndPublishingKeysAreCheckedByTheModulesValidators()
    {
        await using var provider = ModuleProcess.Start(ModuleProcess.ModuleDll("styx-provider", "Cheshire.StyxProvider"),
            new Dictionary<string, string> { ["Provider:MountInNamespace"] = "false" });
        await provider.WaitHealthyAsync(TimeSpan.FromSeconds(30), Ct);
        using var channel = GrpcChannel.ForAddress(provider.GrpcAddress);
        var config = new ModuleConfig.ModuleConfigClient(channel);

        async Task<string> RefusedAsync(string key, string value)
        {
            var error = await Assert.ThrowsAsync<RpcException>(async () => await config.SetAsync(
                new SetConfigRequest { Key = key, Value = value }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: Ct));
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            return error.Status.Detail;
        }

        Assert.Contains("Provider:ReconcileSeconds 0 must be between 0 and 3600 seconds.",
            await RefusedAsync("Provider:ReconcileSeconds", "0"), StringComparison.Ordinal);
        Assert.Contains("Provider:StyxRootReplicas 'tasks styx-root' is not a host name",
            await RefusedAsync("Provider:StyxRootReplicas", "tasks styx-root"), StringComparison.Ordinal);
        Assert.Contains("Publishing:EntryLifetime 00:00:01 must be between",
            await RefusedAsync("Publishing:EntryLifetime", "00:00:01"), StringComparison.Ordinal);

        var saved = await config.SetAsync(new SetConfigRequest { Key = "Provider:ReconcileSeconds", Value = "60" },
            deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: Ct);
        Assert.False(saved.Live);
    }
}
