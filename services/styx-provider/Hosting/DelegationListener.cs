using System.Net.Sockets;
using Cheshire.Styx.FileSystem.Local;
using Cheshire.StyxProvider.Servers;

namespace Cheshire.StyxProvider.Hosting;

/// <summary>
/// The descriptor socket (<see cref="ProviderSettings.DelegationSocket"/>, mode 0600): hands the root of an export
/// server, as an O_PATH descriptor, to a process of the node's user that asks for its path (<see cref="ExportDelegation"/>),
/// so that styx-root serves the directory itself. The provider still decides what is exported, where and how (read-only);
/// anything but an export is refused with the reason.
/// </summary>
public sealed class DelegationListener(ProviderSettings settings, ServerRegistry registry, ILogger<DelegationListener> logger)
    : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Socket? _listener;
    private Task _accepting = Task.CompletedTask;

    /// <summary>Listens before the host reports it started, so the mounter never asks styx-root to take from a socket not there yet.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var path = settings.DelegationSocket;
        ProviderSocket.PrepareForBind(path);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        ProviderSocket.Restrict(path); // before listening: no one else ever connects
        _listener.Listen(16);
        _accepting = AcceptAsync(_listener, _stop.Token);
        logger.LogDebug("Handing export descriptors on {Socket}", path);
        return Task.CompletedTask;
    }

    private async Task AcceptAsync(Socket listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || ct.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                logger.LogWarning("Descriptor socket accept failed: {Error}", e.Message);
                continue;
            }
            // Off the socket's event thread (inline I/O): opening a root may wait on a hung mount.
            _ = Task.Run(() => ServeAsync(connection, ct), CancellationToken.None);
        }
    }

    private async Task ServeAsync(Socket connection, CancellationToken ct)
    {
        using (connection)
        {
            try
            {
                var refusal = await ExportDelegation.ServeAsync(connection, Decide, ct);
                if (refusal is not null) logger.LogWarning("Refused an export descriptor: {Reason}", refusal);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.LogWarning("Export descriptor exchange failed: {Error}", e.Message);
            }
        }
    }

    /// <summary>Only export servers of the configuration are handed over; built-in trees, proxies and scripts stay relayed.</summary>
    public ExportGrant Decide(string path)
    {
        if (!registry.TryGet(path, out var server))
            return ExportGrant.Refuse($"no server at {path}.");
        if (server.IsBuiltIn || server.Tree is not LocalFileSystem export)
            return ExportGrant.Refuse($"{path} is '{server.Description}', not an export: mount it over 9P at unix!{settings.Socket}.");
        logger.LogDebug("Handing {Path} ({Description}) over as a descriptor", path, server.Description);
        return ExportGrant.Grant(export, server.Description);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        _listener?.Dispose();
        await _accepting;
        try
        {
            File.Delete(settings.DelegationSocket);
        }
        catch (IOException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Dispose();
        _listener?.Dispose();
    }
}
