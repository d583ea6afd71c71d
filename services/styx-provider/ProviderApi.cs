using Cheshire.Protos;
using Cheshire.Protos.Provider;
using Cheshire.ServiceDefaults;
using Cheshire.StyxProvider.Config;
using Cheshire.StyxProvider.Hosting;
using Cheshire.StyxProvider.Servers;
using Grpc.Core;

namespace Cheshire.StyxProvider;

public sealed class ProviderApi(ModuleInfoProvider info, ServerRegistry registry, ExportsConfiguration exports, ProviderSettings settings)
    : Provider.ProviderBase
{
    public override Task<ModuleInfo> GetInfo(GetInfoRequest request, ServerCallContext context) =>
        info.DescribeAsync(context.CancellationToken);

    public override Task<ListServersReply> ListServers(ListServersRequest request, ServerCallContext context)
    {
        var reply = new ListServersReply { ConfigFile = exports.FilePath, ConfigError = exports.LastError ?? "", Socket = settings.Socket };
        reply.Servers.AddRange(registry.Servers.Values.Select(ToEntry));
        return Task.FromResult(reply);
    }

    public override async Task<ServerEntry> AddServer(AddServerRequest request, ServerCallContext context)
    {
        var server = request.Server ?? throw Invalid("a server definition is required.");
        try
        {
            // Off the socket's thread (Provider:InlineIo): starting an export opens its root, which may block on a hung mount.
            await Task.Run(() => exports.AddAsync(server.Path, ServerMapping.ToRawEntry(server), context.CancellationToken));
        }
        catch (ExportsFileException e)
        {
            throw Invalid(e.Message);
        }
        catch (InvalidOperationException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
        return registry.TryGet(server.Path, out var running)
            ? ToEntry(running)
            : throw new RpcException(new Status(StatusCode.Unavailable, $"{server.Path} was written to {exports.FilePath} but could not be started; see the log."));
    }

    public override async Task<RemoveServerReply> RemoveServer(RemoveServerRequest request, ServerCallContext context)
    {
        if (ExportsConfiguration.ReservedPaths.Contains(request.Path))
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{request.Path} is a tree of the node itself and cannot be removed."));
        bool removed;
        try
        {
            removed = await Task.Run(() => exports.RemoveAsync(request.Path, context.CancellationToken));
        }
        catch (InvalidOperationException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
        return removed ? new RemoveServerReply() : throw new RpcException(new Status(StatusCode.NotFound, $"no server at '{request.Path}' in {exports.FilePath}."));
    }

    private static ServerEntry ToEntry(RunningServer server) => new()
    {
        Definition = server.Definition is { } d ? ServerMapping.ToProto(d) : new Protos.Provider.ServerDefinition { Path = server.Path },
        Description = server.Description,
        BuiltIn = server.IsBuiltIn,
    };

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
