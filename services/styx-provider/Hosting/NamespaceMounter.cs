using System.Threading.Channels;
using Cheshire.Protos.Namespace;
using Cheshire.StyxProvider.Servers;
using Grpc.Core;
using Grpc.Health.V1;
using NamespaceClient = Cheshire.Protos.Namespace.Namespace.NamespaceClient;

namespace Cheshire.StyxProvider.Hosting;

/// <summary>
/// Keeps every server mounted at its path in styx-root's namespace, through the Namespace API: a mount of the
/// provider's socket with the server's path as aname. The mount table is checked when the servers change, when
/// styx-root (re)appears — seen through a grpc.health.v1 Watch stream, so nothing is polled while all is well — and
/// every <see cref="ProviderSettings.ReconcileInterval"/> as a safety net. A failed check is retried with backoff.
/// Only mounts of this provider's socket are touched.
/// </summary>
public sealed class NamespaceMounter(NamespaceClient styxRoot, Health.HealthClient styxRootHealth, ServerRegistry registry,
    ProviderSettings settings, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<NamespaceMounter> logger) : BackgroundService
{
    public const string Module = "styx-root";
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private bool _reachable = true;

    /// <summary>The mount source styx-root reports for a server of this provider.</summary>
    public string SourceOf(string path) => $"9p unix!{settings.Socket} {path}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        registry.Changed += Wake;
        try
        {
            // styx-root dials the provider's socket to mount: only once Kestrel listens on it.
            await WhenStartedAsync(stoppingToken);
            var watch = WatchStyxRootAsync(stoppingToken);
            var retry = FirstRetry;
            while (!stoppingToken.IsCancellationRequested)
            {
                _wake.Reader.TryRead(out _);
                bool done = await ReconcileAsync(stoppingToken);
                retry = done ? FirstRetry : TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, settings.ReconcileInterval.Ticks));
                using var pause = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var timer = Task.Delay(done ? settings.ReconcileInterval : retry, time, pause.Token);
                await Task.WhenAny(timer, _wake.Reader.WaitToReadAsync(pause.Token).AsTask());
                await pause.CancelAsync();
            }
            await watch;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            registry.Changed -= Wake;
        }
    }

    private Task WhenStartedAsync(CancellationToken ct)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(ct);
    }

    /// <summary>Wakes the reconciler each time styx-root says it is serving: at the first answer and after every restart.</summary>
    private async Task WatchStyxRootAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var call = styxRootHealth.Watch(new HealthCheckRequest(), cancellationToken: ct);
                while (await call.ResponseStream.MoveNext(ct))
                {
                    if (call.ResponseStream.Current.Status == HealthCheckResponse.Types.ServingStatus.Serving) Wake();
                }
            }
            catch (RpcException) when (!ct.IsCancellationRequested)
            {
                // styx-root is away (restarting): watch again after a pause
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>One pass: mounts what is missing, unmounts what this provider no longer serves. False if styx-root could not be reached.</summary>
    public async Task<bool> ReconcileAsync(CancellationToken ct)
    {
        try
        {
            var mounts = (await styxRoot.ListMountsAsync(new ListMountsRequest(), deadline: Deadline(), cancellationToken: ct)).Mounts;
            var prefix = $"9p unix!{settings.Socket} ";
            var ours = mounts.Where(m => m.Source.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            var wanted = registry.Servers.Keys.ToHashSet(StringComparer.Ordinal);

            foreach (var mount in ours.Where(m => !wanted.Contains(m.Path) || m.Source != SourceOf(m.Path)))
            {
                await styxRoot.UnmountAsync(new UnmountRequest { Path = mount.Path, Id = mount.Id }, deadline: Deadline(), cancellationToken: ct);
                logger.LogInformation("Unmounted {Path} from the namespace", mount.Path);
            }
            foreach (var path in wanted.Order(StringComparer.Ordinal))
            {
                if (ours.Any(m => m.Path == path && m.Source == SourceOf(path))) continue;
                await styxRoot.MountAsync(new MountRequest
                {
                    Path = path,
                    Ninep = new NinepSource { Address = "unix:" + settings.Socket, Aname = path, Uname = "cheshire", Msize = settings.MaxMessageSize },
                    Flag = MountFlag.Replace,
                }, deadline: Deadline(), cancellationToken: ct);
                logger.LogInformation("Mounted {Path} in the namespace", path);
            }
            if (!_reachable) logger.LogInformation("styx-root is reachable again; the namespace is up to date");
            _reachable = true;
            return true;
        }
        catch (RpcException) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }
        catch (RpcException e)
        {
            if (_reachable)
                logger.LogWarning("Cannot update styx-root's namespace ({Status}: {Detail}); retrying", e.StatusCode, e.Status.Detail);
            _reachable = false;
            return false;
        }
    }

    private DateTime Deadline() => time.GetUtcNow().UtcDateTime + CallTimeout;
}
