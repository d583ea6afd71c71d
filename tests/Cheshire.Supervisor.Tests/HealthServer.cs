using System.Net;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// A real grpc.health.v1 server (Grpc.HealthCheck's HealthServiceImpl over Kestrel h2c) on a loopback port, whose
/// status a test sets: what a dependency's health service looks like to the module watching it.
/// </summary>
public sealed class HealthServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    public HealthServiceImpl Health { get; } = new();
    public int Port { get; }
    public Uri Address => new($"http://127.0.0.1:{Port}");

    private HealthServer(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(Health);
        _app = builder.Build();
        _app.MapGrpcService<HealthServiceImpl>();
        Health.SetStatus("", HealthCheckResponse.Types.ServingStatus.Serving);
        Port = port;
    }

    /// <summary>Starts a server on <paramref name="port"/> (from <see cref="Testing.FreePorts"/>, or the port of one that stopped).</summary>
    public static async Task<HealthServer> StartAsync(int port, CancellationToken cancellationToken)
    {
        var server = new HealthServer(port);
        await server._app.StartAsync(cancellationToken);
        return server;
    }

    public void Set(HealthCheckResponse.Types.ServingStatus status) => Health.SetStatus("", status);

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        // a plain health service does not end its Watch streams on stopping: they are cut when the stop gives up on them
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }

    private bool _disposed;
}
