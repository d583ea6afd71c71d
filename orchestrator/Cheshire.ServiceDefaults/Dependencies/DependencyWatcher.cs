using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Cheshire.ServiceDefaults.Dependencies;

/// <summary>
/// Keeps one grpc.health.v1 Watch open to each watched module (<see cref="DependencyWatch.Modules"/>) and records every
/// status it sends. A stream that fails or ends (the module stopped, was killed or restarts) makes the module
/// unreachable at once, and the stream is opened again after a short backoff until the module answers. A module that
/// serves no health service (the supervisor's Modules API) counts as serving while it answers, and is asked again
/// every <see cref="NoHealthServicePoll"/>. Started with the host for every watched module, or on first use by
/// <see cref="Ensure"/> (a client used outside a host); stopped with the host or when disposed.
/// </summary>
public sealed partial class DependencyWatcher(
    DependencyWatch watch,
    GrpcClientFactory clients,
    TimeProvider time,
    ILogger<DependencyWatcher> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, Task> _watches = new(StringComparer.Ordinal);

    /// <summary>
    /// How long a new stream may take to send its first status (sent at once by a serving module): behind Aspire's proxy
    /// a stopped module accepts the connection and never answers.
    /// </summary>
    public static readonly TimeSpan FirstAnswerTimeout = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan NoHealthServicePoll = TimeSpan.FromMilliseconds(500);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var module in watch.Modules)
            Ensure(module);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_watches.Values).WaitAsync(cancellationToken);
    }

    /// <summary>Starts watching <paramref name="module"/> unless it is watched already, or not watched here at all.</summary>
    public void Ensure(string module)
    {
        if (_watches.ContainsKey(module) || !watch.IsWatched(module))
            return;
        lock (_watches)
            if (!_disposed && !_stopping.IsCancellationRequested && !_watches.ContainsKey(module))
            {
                var stopping = _stopping.Token;
                _watches[module] = Task.Run(() => WatchAsync(module, stopping), CancellationToken.None);
            }
    }

    /// <summary>Stops every watch. Called more than once (the container disposes it as itself and as a hosted service).</summary>
    public void Dispose()
    {
        lock (_watches)
        {
            if (_disposed) return;
            _disposed = true;
        }
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private bool _disposed;

    private async Task WatchAsync(string module, CancellationToken stoppingToken)
    {
        var client = clients.CreateModuleProbeClient<Health.HealthClient>(module);
        var backoff = MinBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            var answered = false;
            string ended;
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            attempt.CancelAfter(FirstAnswerTimeout);
            try
            {
                using var call = client.Watch(new HealthCheckRequest(), cancellationToken: attempt.Token);
                await foreach (var reply in call.ResponseStream.ReadAllAsync(attempt.Token))
                {
                    if (!answered)
                    {
                        answered = true;
                        attempt.CancelAfter(Timeout.InfiniteTimeSpan);
                        backoff = MinBackoff;
                    }
                    Record(module, StateOf(reply.Status), reply.Status.ToString());
                }
                ended = "its health stream ended (stopping)";
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
            {
                Record(module, WatchedState.Serving, "answers (serves no grpc.health.v1)");
                await DelayAsync(NoHealthServicePoll, stoppingToken);
                continue;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && attempt.IsCancellationRequested)
            {
                ended = $"no answer within {FirstAnswerTimeout.TotalSeconds:0.#} s";
            }
            catch (RpcException e)
            {
                ended = Describe(e);
            }
            catch (OperationCanceledException)
            {
                ended = $"no answer within {FirstAnswerTimeout.TotalSeconds:0.#} s";
            }
            catch (InvalidOperationException e)
            {
                // service discovery has no address for it
                ended = e.Message;
            }
            Record(module, WatchedState.Unreachable, ended);
            await DelayAsync(backoff, stoppingToken);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private void Record(string module, WatchedState state, string detail)
    {
        var before = watch.Get(module).State;
        watch.Report(module, state, detail);
        if (before != state)
            LogChanged(module, state, detail);
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, time, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static WatchedState StateOf(ServingStatus status) => status switch
    {
        ServingStatus.Serving => WatchedState.Serving,
        ServingStatus.NotServing => WatchedState.NotServing,
        _ => WatchedState.Unknown,
    };

    /// <summary>The transport's own reason (connection refused, reset) where there is one.</summary>
    private static string Describe(RpcException e)
    {
        Exception? cause = e.Status.DebugException;
        while (cause?.InnerException is not null)
            cause = cause.InnerException;
        return cause is null ? $"{e.StatusCode}: {e.Status.Detail}" : $"{e.StatusCode}: {cause.Message}";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Module {Module} is now {State} ({Detail})")]
    private partial void LogChanged(string module, WatchedState state, string detail);
}
