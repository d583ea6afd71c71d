using System.Threading.Channels;
using Cheshire.Protos.Namespace;
using Cheshire.StyxProvider.Servers;
using Grpc.Core;
using NamespaceClient = Cheshire.Protos.Namespace.Namespace.NamespaceClient;

namespace Cheshire.StyxProvider.Hosting;

/// <summary>
/// Keeps every server mounted at its path in styx-root's namespace, through the Namespace API: a mount of the
/// provider's socket with the server's path as aname. Checked when the servers change and every
/// <see cref="ProviderSettings.ReconcileInterval"/>, so the trees come back by themselves after styx-root restarts.
/// Only mounts of this provider's socket are touched.
/// </summary>
public sealed class NamespaceMounter(NamespaceClient styxRoot, ServerRegistry registry, ProviderSettings settings,
    TimeProvider time, ILogger<NamespaceMounter> logger) : BackgroundService
{
    public const string Module = "styx-root";
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private bool _reachable = true;

    /// <summary>The mount source styx-root reports for a server of this provider.</summary>
    public string SourceOf(string path) => $"9p unix!{settings.Socket} {path}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        registry.Changed += Wake;
        try
        {
            using var timer = new PeriodicTimer(settings.ReconcileInterval, time);
            var tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
            while (!stoppingToken.IsCancellationRequested)
            {
                await ReconcileAsync(stoppingToken);
                var woken = _wake.Reader.WaitToReadAsync(stoppingToken).AsTask();
                if (await Task.WhenAny(tick, woken) == tick)
                {
                    await tick;
                    tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
                }
                _wake.Reader.TryRead(out _);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            registry.Changed -= Wake;
        }
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>One pass: mounts what is missing, unmounts what this provider no longer serves.</summary>
    public async Task ReconcileAsync(CancellationToken ct)
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
        }
        catch (RpcException e) when (!ct.IsCancellationRequested)
        {
            if (_reachable)
                logger.LogWarning("Cannot update styx-root's namespace ({Status}: {Detail}); retrying every {Interval}",
                    e.StatusCode, e.Status.Detail, settings.ReconcileInterval);
            _reachable = false;
        }
    }

    private DateTime Deadline() => time.GetUtcNow().UtcDateTime + CallTimeout;
}
