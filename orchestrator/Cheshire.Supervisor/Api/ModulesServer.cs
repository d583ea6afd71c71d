using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cheshire.Supervisor.Api;

/// <summary>
/// Serves the Modules API (h2c) on the supervisor's loopback endpoint, from inside the AppHost: a small web host of its
/// own, beside Aspire's, sharing the supervisor and the AppHost's logging.
/// </summary>
public sealed class ModulesServer(SupervisorSettings settings, ModuleSupervisor supervisor, SupervisorIdentity identity,
    TimeProvider time, ILoggerFactory loggerFactory, Starting.ModuleStarter starter, Reload.ModuleReloader reloader,
    Install.ModuleInstaller installer) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // The AppHost's environment carries the dashboard's ASPNETCORE_URLS: this host listens only where it is told.
        builder.WebHost.UseUrls();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(settings.Endpoint, l => l.Protocols = HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        // The AppHost already says it started; this host's own lines would only repeat it.
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(supervisor);
        builder.Services.AddSingleton(starter);
        builder.Services.AddSingleton(reloader);
        builder.Services.AddSingleton(installer);
        builder.Services.AddSingleton(identity);
        builder.Services.AddSingleton(time);
        builder.Services.AddHttpClient<ModuleHealthProbe>(http => http.Timeout = ModuleHealthProbe.Timeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseProxy = false });
        builder.Services.AddGrpc();
        // grpc.health.v1, SERVING while the API serves: what modules watch to tell a supervisor that is down (ServiceDefaults)
        builder.Services.AddGrpcHealthChecks();
        _app = builder.Build();
        _app.MapGrpcService<ModulesApi>();
        _app.MapGrpcHealthChecksService();
        try
        {
            await _app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            throw new ModulesApiUnavailableException(
                $"The Modules API cannot listen on {settings.Endpoint} ({e.Message}); set {SupervisorSettings.EndpointKey} or Cheshire:PortOffset.", e);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
            await _app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
    }
}
