using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Cheshire.Testing;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// Starts a whole node through the AppHost on free ports, its data in <c>dataDirectory</c>, and waits for modules. Watching
/// sources is off unless <c>settings</c> turn it on (Cheshire:Supervisor:Watch=true): an edit to the checkout while
/// tests run must not rebuild and restart their modules.
/// </summary>
public static class NodeApp
{
    public static async Task<DistributedApplication> StartAsync(string dataDirectory, int supervisorPort, IEnumerable<string> settings,
        IEnumerable<string> healthyModules, CancellationToken cancellationToken)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Cheshire_AppHost>(Arguments(dataDirectory, supervisorPort, settings),
            cancellationToken);
        var app = await builder.BuildAsync(cancellationToken);
        await app.StartAsync(cancellationToken);
        foreach (var module in healthyModules)
            await app.ResourceNotifications.WaitForResourceHealthyAsync(module, cancellationToken);
        return app;
    }

    /// <summary>The AppHost's command line (--KEY=VALUE) for a node in <paramref name="dataDirectory"/>, <paramref name="settings"/> last.</summary>
    public static string[] Arguments(string dataDirectory, int supervisorPort, IEnumerable<string> settings) =>
        [
            $"--Cheshire:DataDir={dataDirectory}",
            $"--Cheshire:Ports:styx-root:styx={FreePorts.Tcp().ToString(CultureInfo.InvariantCulture)}",
            $"--Cheshire:Ports:styx-client:link={FreePorts.Tcp().ToString(CultureInfo.InvariantCulture)}",
            // The UDP ports too: another node on this machine (a developer's, another test's) may hold the defaults.
            $"--Cheshire:Ports:mainline-dht:dht={FreePorts.Udp().ToString(CultureInfo.InvariantCulture)}",
            $"--Cheshire:Ports:dht:dht={FreePorts.Udp().ToString(CultureInfo.InvariantCulture)}",
            $"--Cheshire:Supervisor:Endpoint=127.0.0.1:{supervisorPort.ToString(CultureInfo.InvariantCulture)}",
            "--Cheshire:Supervisor:Watch=false",
            .. settings,
        ];
}
