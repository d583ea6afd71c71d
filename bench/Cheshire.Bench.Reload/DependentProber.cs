using System.Diagnostics;
using Cheshire.Protos;
using Cheshire.ServiceDefaults;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cheshire.Bench.Reload;

/// <summary>
/// Calls dht's GetInfo as a dependent module does: through the module client (service discovery, retries with backoff
/// within the call's deadline, ServiceDefaults' ModuleClients), one call at a time with a 30 s deadline, 20 ms apart.
/// Keeps the failed calls and the longest a call took (how long a dependent waited out a restart).
/// </summary>
public sealed class DependentProber : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Task _calls;
    private TimeSpan _longestCall;
    private int _failures, _callCount;

    public DependentProber(string dhtGrpc)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["services:dht:grpc:0"] = dhtGrpc }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddServiceDiscovery();
        services.ConfigureHttpClientDefaults(http => http.AddServiceDiscovery());
        services.AddModuleClient<Protos.Dht.Dht.DhtClient>("dht");
        _services = services.BuildServiceProvider();
        var client = _services.GetRequiredService<GrpcClientFactory>().CreateModuleClient<Protos.Dht.Dht.DhtClient>("dht");
        _calls = Task.Run(() => CallAsync(client));
    }

    public TimeSpan LongestCall { get { lock (_gate) return _longestCall; } }
    public int Failures { get { lock (_gate) return _failures; } }
    public int Calls { get { lock (_gate) return _callCount; } }

    public void Reset()
    {
        lock (_gate)
        {
            _longestCall = TimeSpan.Zero;
            _failures = _callCount = 0;
        }
    }

    private async Task CallAsync(Protos.Dht.Dht.DhtClient client)
    {
        while (!_stop.IsCancellationRequested)
        {
            var call = Stopwatch.StartNew();
            try
            {
                await client.GetInfoAsync(new GetInfoRequest(), deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: _stop.Token);
                lock (_gate)
                {
                    _callCount++;
                    if (call.Elapsed > _longestCall) _longestCall = call.Elapsed;
                }
            }
            catch (Exception) when (!_stop.IsCancellationRequested)
            {
                lock (_gate)
                {
                    _callCount++;
                    _failures++;
                }
            }
            catch (Exception)
            {
                return; // stopped: the call was cancelled (an RpcException with status Cancelled)
            }
            await Task.Delay(20);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _calls.Wait(TimeSpan.FromSeconds(5));
        _services.Dispose();
        _stop.Dispose();
    }
}
