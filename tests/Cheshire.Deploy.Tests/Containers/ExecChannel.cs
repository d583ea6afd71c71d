using System.Net;
using Docker.DotNet;
using Grpc.Net.Client;

namespace Cheshire.Deploy.Tests.Containers;

/// <summary>A gRPC channel to a container's port, each connection relayed inside the container (<see cref="ExecRelayStream"/>).</summary>
public static class ExecChannel
{
    public static GrpcChannel For(IDockerClient docker, string containerId, int port)
    {
        var handler = new SocketsHttpHandler
        {
            // Not the connect's token: the exec stream lives as long as the HTTP/2 connection, past the connect.
            ConnectCallback = async (_, _) => await ExecRelayStream.OpenAsync(docker, containerId, port, CancellationToken.None),
        };
        return GrpcChannel.ForAddress($"http://container-{containerId[..12]}", new GrpcChannelOptions { HttpHandler = handler, HttpVersion = HttpVersion.Version20 });
    }
}
