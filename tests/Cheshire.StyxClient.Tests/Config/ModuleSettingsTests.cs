using Cheshire.Protos;
using Cheshire.StyxClient.Tests.Links;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cheshire.StyxClient.Tests.Config;

/// <summary>
/// styx-client's settings (sections "Imports" and "Link") through ServiceDefaults' ModuleConfig on a real module, as
/// Modules.SetConfig forwards them: bad values are refused with the validators' messages.
/// </summary>
public sealed class ModuleSettingsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ImportsAndLinkKeysAreCheckedByTheModulesValidators()
    {
        await using var node = await LinkNode.StartAsync();
        using var channel = GrpcChannel.ForAddress(node.Client.GrpcAddress);
        var config = new ModuleConfig.ModuleConfigClient(channel);

        async Task<string> RefusedAsync(string key, string value)
        {
            var error = await Assert.ThrowsAsync<RpcException>(async () => await config.SetAsync(
                new SetConfigRequest { Key = key, Value = value }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: Ct));
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            return error.Status.Detail;
        }

        Assert.Contains("Imports:LookupSeconds 0 must be more than 0 and at most 300 seconds.",
            await RefusedAsync("Imports:LookupSeconds", "0"), StringComparison.Ordinal);
        Assert.Contains("Link:MaxLinks 0 must be at least 1.", await RefusedAsync("Link:MaxLinks", "0"), StringComparison.Ordinal);

        var saved = await config.SetAsync(new SetConfigRequest { Key = "Imports:NegativeCacheSeconds", Value = "2" },
            deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: Ct);
        Assert.False(saved.Live);
    }
}
