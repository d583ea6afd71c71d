using Cheshire.Protos.Provider;
using Cheshire.Styx.Protocol;
using Grpc.Core;
using ProviderClient = Cheshire.Protos.Provider.Provider.ProviderClient;

namespace Cheshire.StyxClient.Links;

/// <summary>This node's exports as styx-provider lists them, asked at every attach so a changed exports file counts at once.</summary>
public sealed class ExportCatalog(ProviderClient provider)
{
    public const string Module = "styx-provider";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public async Task<IReadOnlyList<ServerEntry>> ListAsync(CancellationToken cancellationToken)
    {
        try
        {
            var reply = await provider.ListServersAsync(new ListServersRequest(), deadline: DateTime.UtcNow + Deadline,
                cancellationToken: cancellationToken);
            return reply.Servers;
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StyxErrorException(Errno.EIO, $"cannot list this node's exports: {Module} answered {e.StatusCode} ({e.Status.Detail})");
        }
    }
}
