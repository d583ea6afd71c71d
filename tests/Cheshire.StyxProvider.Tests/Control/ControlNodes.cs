using Cheshire.Testing;

namespace Cheshire.StyxProvider.Tests.Control;

/// <summary>
/// Real modules for the control-tree tests: dht A (the one the trees serve) and dht B (to bootstrap to), mainline-dht
/// M (served) and N (its only other node, so announces and puts have somewhere to go), and the trees served over 9P.
/// </summary>
public sealed class ControlNodes : IAsyncLifetime
{
    internal DhtModule Dht { get; private set; } = null!;
    internal DhtModule OtherDht { get; private set; } = null!;
    internal MainlineModule Mainline { get; private set; } = null!;
    internal MainlineModule OtherMainline { get; private set; } = null!;
    internal ControlServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        int mainlinePort = FreePorts.Udp(), otherMainlinePort = FreePorts.Udp();
        var dht = DhtModule.StartAsync(ct);
        var otherDht = DhtModule.StartAsync(ct);
        var mainline = MainlineModule.StartAsync(mainlinePort, otherMainlinePort, ct);
        var otherMainline = MainlineModule.StartAsync(otherMainlinePort, mainlinePort, ct);
        try
        {
            await Task.WhenAll(dht, otherDht, mainline, otherMainline);
        }
        catch
        {
            foreach (var started in new Task<IAsyncDisposable>[] { Up(dht), Up(otherDht), Up(mainline), Up(otherMainline) })
                if (started.IsCompletedSuccessfully) await started.Result.DisposeAsync();
            throw;
        }
        (Dht, OtherDht, Mainline, OtherMainline) = (dht.Result, otherDht.Result, mainline.Result, otherMainline.Result);
        Server = new ControlServer(Dht.GrpcAddress, Mainline.GrpcAddress);
    }

    private static async Task<IAsyncDisposable> Up<T>(Task<T> start) where T : IAsyncDisposable => await start;

    public async ValueTask DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        foreach (var module in new IAsyncDisposable?[] { Dht, OtherDht, Mainline, OtherMainline })
            if (module is not null) await module.DisposeAsync();
    }
}
