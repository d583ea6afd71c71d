using Cheshire.Protos;
using Cheshire.Protos.Modules;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cheshire.Supervisor.Config;

/// <summary>
/// Modules.SetConfig: hands the key and value to the running module's ModuleConfig service, which checks them with its
/// own settings validators and saves them; its refusals come back as they are (INVALID_ARGUMENT and its reason).
/// </summary>
public static class ModuleConfigForwarder
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public static Task<SetModuleConfigReply> SetAsync(SupervisedModule module, SetModuleConfigRequest request, CancellationToken ct)
    {
        string? url;
        SupervisionState state;
        lock (module.Gate)
        {
            state = module.State;
            url = state == SupervisionState.Running ? module.Url("grpc") : null;
        }
        return SetAsync(module.Name, state, url, request, ct);
    }

    /// <summary>To the module <paramref name="name"/> whose gRPC endpoint is <paramref name="url"/> (null while it does not run).</summary>
    public static async Task<SetModuleConfigReply> SetAsync(string name, SupervisionState state, string? url, SetModuleConfigRequest request,
        CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Key))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "key is empty: give a configuration key, e.g. Logging:LogLevel:Default."));
        if (url is null)
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"{name} is not running ({state.ToString().ToLowerInvariant()}): the module checks its own settings, so start it first."));

        using var channel = GrpcChannel.ForAddress(url, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { UseProxy = false } });
        var client = new ModuleConfig.ModuleConfigClient(channel);
        SetConfigReply reply;
        try
        {
            reply = await client.SetAsync(new SetConfigRequest { Key = request.Key, Value = request.Value, Reset = request.Reset },
                deadline: DateTime.UtcNow + Deadline, cancellationToken: ct);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument or StatusCode.FailedPrecondition)
        {
            throw new RpcException(new Status(e.StatusCode, e.Status.Detail));
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"{name} does not serve ModuleConfig (a build from before dynamic configuration?): {e.Status.Detail}"));
        }
        catch (RpcException e) when (!ct.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"{name} did not answer SetConfig: {e.StatusCode}: {e.Status.Detail}"));
        }
        var result = new SetModuleConfigReply
        {
            Name = name,
            Key = reply.Key,
            Value = reply.Value,
            Live = reply.Live,
            Detail = reply.Detail,
        };
        result.Config.AddRange(reply.Dynamic.Select(d => new ModuleConfigValue { Key = d.Key, Value = d.Value }));
        return result;
    }
}
