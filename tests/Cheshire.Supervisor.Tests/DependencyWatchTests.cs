using System.Diagnostics;
using System.Globalization;
using Cheshire.ServiceDefaults;
using Cheshire.ServiceDefaults.Dependencies;
using Cheshire.Testing;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// ServiceDefaults' dependency watch against a real grpc.health.v1 server: every status it sends is seen through Watch,
/// its end is seen at once, and it is seen again when it comes back; calls to a module known down fail at once.
/// </summary>
public sealed class DependencyWatchTests
{
    private const string Dependency = "dep";
    private static readonly TimeSpan Seen = TimeSpan.FromSeconds(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryStatusAndTheServersEndAndReturnAreSeenThroughWatch()
    {
        var port = FreePorts.Tcp();
        var server = await HealthServer.StartAsync(port, Ct);
        try
        {
            using var host = await StartWatchingAsync(port);
            var watch = host.Services.GetRequiredService<DependencyWatch>();

            await Eventually.TrueAsync(() => Task.FromResult(watch.Get(Dependency).State == WatchedState.Serving), Seen, "serving seen", Ct);
            server.Set(ServingStatus.NotServing);
            await Eventually.TrueAsync(() => Task.FromResult(watch.Get(Dependency).State == WatchedState.NotServing), Seen, "not serving seen", Ct);
            server.Set(ServingStatus.Serving);
            await Eventually.TrueAsync(() => Task.FromResult(watch.Get(Dependency).Serving), Seen, "serving again", Ct);

            await server.DisposeAsync();
            var stopped = Stopwatch.StartNew();
            await Eventually.TrueAsync(() => Task.FromResult(watch.Get(Dependency).State == WatchedState.Unreachable), Seen, "its end seen", Ct);
            var seenGone = stopped.Elapsed;
            var gone = watch.Get(Dependency);
            Assert.NotNull(gone.LastReachableAt);
            Assert.True(seenGone < TimeSpan.FromSeconds(1), $"the end was seen {seenGone} after the server was gone");

            server = await HealthServer.StartAsync(port, Ct);
            await Eventually.TrueAsync(() => Task.FromResult(watch.Get(Dependency).Serving), Seen, "serving after it came back", Ct);
            Assert.True(watch.Get(Dependency).Since > gone.Since);
            TestContext.Current.TestOutputHelper?.WriteLine($"end seen after {seenGone.TotalMilliseconds:0} ms ({gone.Detail})");
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task ACallToAModuleNeverReachedFailsAtOnceSayingSo()
    {
        var port = FreePorts.Tcp(); // nothing listens there
        using var host = await StartWatchingAsync(port);
        var client = host.Services.GetRequiredService<GrpcClientFactory>().CreateModuleClient<Health.HealthClient>(Dependency);

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(20), cancellationToken: Ct).ResponseAsync);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"the call failed after {clock.Elapsed}");
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        var down = Assert.IsType<ModuleUnavailableException>(error.Status.DebugException);
        Assert.StartsWith("dep unavailable: not running: never reached (", down.Message);
    }

    [Fact]
    public async Task ACallToAModuleThatWasServingAMomentAgoWaitsForItsReturn()
    {
        var port = FreePorts.Tcp();
        var server = await HealthServer.StartAsync(port, Ct);
        using var host = await StartWatchingAsync(port);
        var watch = host.Services.GetRequiredService<DependencyWatch>();
        await Eventually.TrueAsync(() => Task.FromResult(watch.Get(Dependency).Serving), Seen, "serving seen", Ct);
        await server.DisposeAsync();
        await Eventually.TrueAsync(() => Task.FromResult(watch.Get(Dependency).State == WatchedState.Unreachable), Seen, "its end seen", Ct);

        // restarting: called anyway, and the client's retries wait until it is back
        var client = host.Services.GetRequiredService<GrpcClientFactory>().CreateModuleClient<Health.HealthClient>(Dependency);
        var call = client.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(20), cancellationToken: Ct).ResponseAsync;
        server = await HealthServer.StartAsync(port, Ct);
        try
        {
            Assert.Equal(ServingStatus.Serving, (await call).Status);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>A host that watches "dep" at 127.0.0.1:<paramref name="port"/>, with a fail-fast module client of it.</summary>
    private static async Task<IHost> StartWatchingAsync(int port)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration[$"services:{Dependency}:grpc:0"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http => http.AddServiceDiscovery());
        builder.Services.WatchModule(Dependency);
        builder.Services.AddModuleClient<Health.HealthClient>(Dependency).FailFastWhenDown(Dependency);
        var host = builder.Build();
        await host.StartAsync(Ct);
        return host;
    }
}
