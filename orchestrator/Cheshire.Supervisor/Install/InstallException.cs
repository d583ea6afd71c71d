using Grpc.Core;

namespace Cheshire.Supervisor.Install;

/// <summary>Why an install was refused or failed, with the gRPC status the Modules API answers.</summary>
public sealed class InstallException(StatusCode code, string message) : Exception(message)
{
    public StatusCode Code { get; } = code;
}
