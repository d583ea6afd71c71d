using System.Diagnostics;
using Cheshire.Protos;
using Grpc.Net.Client;

namespace Cheshire.Bench.Reload;

/// <summary>
/// Calls dht's GetInfo every 20 ms (1 s deadline) through the node's endpoint and polls styx-provider's /health every
/// 50 ms, keeping the longest time between two answered calls and the longest stretch styx-provider was not Healthy.
/// </summary>
public sealed class Prober : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(1) };
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Task _calls;
    private readonly Task _health;
    private TimeSpan _longestGap, _longestNotHealthy;
    private int _failures;
    private DateTimeOffset _lastAnswer, _lastHealthy;

    public Prober(string dhtGrpc, string providerHttp)
    {
        _channel = GrpcChannel.ForAddress(dhtGrpc);
        _calls = Task.Run(CallAsync);
        _health = Task.Run(() => HealthAsync(providerHttp.TrimEnd('/') + "/health"));
    }

    public TimeSpan LongestGap { get { lock (_gate) return _longestGap; } }
    public TimeSpan LongestNotHealthy { get { lock (_gate) return _longestNotHealthy; } }
    public int Failures { get { lock (_gate) return _failures; } }
    /// <summary>When dht last answered GetInfo, and when styx-provider last said Healthy.</summary>
    public DateTimeOffset LastAnswer { get { lock (_gate) return _lastAnswer; } }
    public DateTimeOffset LastHealthy { get { lock (_gate) return _lastHealthy; } }

    public void Reset()
    {
        lock (_gate)
        {
            _longestGap = _longestNotHealthy = TimeSpan.Zero;
            _failures = 0;
        }
    }

    private async Task CallAsync()
    {
        var client = new Protos.Dht.Dht.DhtClient(_channel);
        var last = Stopwatch.StartNew();
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await client.GetInfoAsync(new GetInfoRequest(), deadline: DateTime.UtcNow.AddSeconds(1), cancellationToken: _stop.Token);
                lock (_gate)
                {
                    if (last.Elapsed > _longestGap) _longestGap = last.Elapsed;
                    _lastAnswer = DateTimeOffset.UtcNow;
                }
                last.Restart();
            }
            catch (Exception) when (!_stop.IsCancellationRequested)
            {
                lock (_gate) _failures++;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await Task.Delay(20);
        }
    }

    private async Task HealthAsync(string url)
    {
        Stopwatch? down = null;
        while (!_stop.IsCancellationRequested)
        {
            string answer;
            try { answer = await _http.GetStringAsync(url, _stop.Token); }
            catch (Exception) when (!_stop.IsCancellationRequested) { answer = "no answer"; }
            catch (OperationCanceledException) { return; }
            if (answer == "Healthy")
            {
                down = null;
                lock (_gate) _lastHealthy = DateTimeOffset.UtcNow;
            }
            else down ??= Stopwatch.StartNew();
            if (down is not null)
                lock (_gate)
                    if (down.Elapsed > _longestNotHealthy) _longestNotHealthy = down.Elapsed;
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        Task.WaitAll([_calls, _health], TimeSpan.FromSeconds(5));
        _channel.Dispose();
        _http.Dispose();
        _stop.Dispose();
    }
}
