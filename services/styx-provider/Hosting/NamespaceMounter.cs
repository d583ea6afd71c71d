using System.Threading.Channels;
using Cheshire.Protos.Namespace;
using Cheshire.Styx.FileSystem.Local;
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
/// Only mounts of this provider's sockets are touched. Export servers are mounted as delegated exports (styx-root takes
/// a descriptor of the directory from the <see cref="DelegationListener"/> and serves it itself) unless
/// <see cref="ProviderSettings.DelegateExports"/> is off, styx-root is replicated, or styx-root cannot take them.
/// </summary>
public sealed class NamespaceMounter(NamespaceClient styxRoot, Health.HealthClient styxRootHealth, ServerRegistry registry,
    ProviderSettings settings, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<NamespaceMounter> logger) : BackgroundService
{
    public const string Module = "styx-root";
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private bool _reachable = true;

    private readonly bool _delegating = settings.DelegateExports && settings.StyxRootReplicas is null;

    /// <summary>Servers styx-root could not take as delegated exports (e.g. it cannot see the socket): relayed instead.</summary>
    private readonly HashSet<RunningServer> _undelegable = new(ReferenceEqualityComparer.Instance);

    /// <summary>The mount source styx-root reports for a server of this provider mounted over 9P.</summary>
    public string SourceOf(string path) => $"9p unix!{settings.Socket} {path}";

    private string DelegatedPrefix => $"delegated unix!{settings.DelegationSocket} ";

    /// <summary>Whether <paramref name="server"/> is mounted as a delegated export (styx-root serves its directory itself).</summary>
    private bool Delegates(RunningServer server) =>
        _delegating && !server.IsBuiltIn && server.Tree is LocalFileSystem && !_undelegable.Contains(server);

    /// <summary>What styx-root lists for <paramref name="server"/> once mounted as it should be.</summary>
    private string ExpectedSource(RunningServer server) =>
        Delegates(server) ? $"{DelegatedPrefix}{server.Path}: {server.Description}" : SourceOf(server.Path);

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
            var ours = mounts.Where(m => m.Source.StartsWith(prefix, StringComparison.Ordinal) || m.Source.StartsWith(DelegatedPrefix, StringComparison.Ordinal)).ToList();
            var wanted = registry.Servers;
            _undelegable.RemoveWhere(s => !wanted.TryGetValue(s.Path, out var current) || !ReferenceEquals(current, s));

            // A changed export (e.g. made read-only) has another description, so its delegated mount is replaced.
            foreach (var mount in ours.Where(m => !wanted.TryGetValue(m.Path, out var server) || m.Source != ExpectedSource(server)))
            {
                await styxRoot.UnmountAsync(new UnmountRequest { Path = mount.Path, Id = mount.Id }, deadline: Deadline(), cancellationToken: ct);
                logger.LogInformation("Unmounted {Path} from the namespace", mount.Path);
            }
            foreach (var (path, server) in wanted)
            {
                if (ours.Any(m => m.Path == path && m.Source == ExpectedSource(server))) continue;
                await MountAsync(server, ct);
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

    private async Task MountAsync(RunningServer server, CancellationToken ct)
    {
        if (Delegates(server))
        {
            try
            {
                await styxRoot.MountAsync(new MountRequest
                {
                    Path = server.Path,
                    Delegated = new DelegatedSource { Socket = settings.DelegationSocket, Aname = server.Path },
                    Flag = MountFlag.Replace,
                }, deadline: Deadline(), cancellationToken: ct);
                logger.LogInformation("Mounted {Path} in the namespace as a delegated export", server.Path);
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
            {
                logger.LogWarning("styx-root cannot take {Path} as a delegated export ({Detail}); relaying it over 9P", server.Path, e.Status.Detail);
                _undelegable.Add(server);
            }
        }
        await styxRoot.MountAsync(new MountRequest
        {
            Path = server.Path,
            Ninep = new NinepSource { Address = "unix:" + settings.Socket, Aname = server.Path, Uname = "cheshire", Msize = settings.MaxMessageSize },
            Flag = MountFlag.Replace,
        }, deadline: Deadline(), cancellationToken: ct);
        logger.LogInformation("Mounted {Path} in the namespace", server.Path);
    }

    private DateTime Deadline() => time.GetUtcNow().UtcDateTime + CallTimeout;
}
