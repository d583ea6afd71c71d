using Cheshire.Protos;
using Grpc.Core;

namespace Cheshire.ServiceDefaults.Config;

/// <summary>The ModuleConfig gRPC service every module serves (config.proto): its dynamic configuration.</summary>
public sealed class ModuleConfigApi(DynamicConfiguration configuration) : ModuleConfig.ModuleConfigBase
{
    public override Task<SetConfigReply> Set(SetConfigRequest request, ServerCallContext context)
    {
        try
        {
            return Task.FromResult(configuration.Set(request.Key, request.Value, request.Reset));
        }
        catch (ConfigRefusedException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
        catch (InvalidDataException e)
        {
            // The file was edited by hand and no longer reads: fixing it is the user's call.
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
    }

    public override Task<ConfigReply> Get(GetConfigRequest request, ServerCallContext context)
    {
        try
        {
            return Task.FromResult(configuration.Describe());
        }
        catch (InvalidDataException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
    }
}
