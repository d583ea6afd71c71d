using System.Globalization;
using System.Text.RegularExpressions;

namespace Cheshire.Modules;

/// <summary>
/// The fixed ports of a node's modules (module.json "endpoints"): the default moved by the <see cref="PortOffset"/>,
/// unless the AppHost setting Cheshire:Ports:MODULE:ENDPOINT, or for a bare-port endpoint the module's own setting
/// Cheshire:Config:MODULE:SETTING, gives the port exactly. A module's config value "{MODULE:ENDPOINT}" becomes that port.
/// </summary>
public sealed partial class NodePorts(ModuleGraph graph, PortOffset offset, Func<string, string?> setting)
{
    public PortOffset Offset { get; } = offset;

    /// <summary>The port the endpoint listens on (for several instances: the first's; instance i adds i).</summary>
    public int Port(ModuleDescriptor module, ModuleEndpoint endpoint)
    {
        var portKey = $"Cheshire:Ports:{module.Name}:{endpoint.Name}";
        var exact = setting(portKey) is { Length: > 0 } text ? (portKey, text)
            : endpoint.Format == ModuleEndpoint.PortFormat && setting($"Cheshire:Config:{module.Name}:{endpoint.Setting}") is { Length: > 0 } own
                ? ($"Cheshire:Config:{module.Name}:{endpoint.Setting}", own)
                : default;
        if (exact.Item2 is null)
            return Offset.Apply(endpoint.Port, $"the {endpoint.Name} port of {module.Name}");
        if (!int.TryParse(exact.Item2, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > PortOffset.MaxPort)
            throw new InvalidOperationException($"{exact.Item1} '{exact.Item2}' is not a port (0-{PortOffset.MaxPort}).");
        return port;
    }

    /// <summary>What the module's setting receives: 127.0.0.1:PORT, or the bare port.</summary>
    public string SettingValue(ModuleDescriptor module, ModuleEndpoint endpoint)
    {
        var port = Port(module, endpoint).ToString(CultureInfo.InvariantCulture);
        return endpoint.Format == ModuleEndpoint.PortFormat ? port : "127.0.0.1:" + port;
    }

    /// <summary>A module.json config value, with "{MODULE:ENDPOINT}" replaced by that endpoint's port.</summary>
    public string Expand(ModuleDescriptor module, string key, string value)
    {
        var match = Reference().Match(value);
        if (!match.Success)
            return value;
        var (name, endpointName) = (match.Groups["module"].Value, match.Groups["endpoint"].Value);
        var target = graph.Modules.FirstOrDefault(m => m.Name == name)
            ?? throw new InvalidOperationException($"Module '{module.Name}': config {key} = {value} names no module '{name}'.");
        var endpoint = target.Endpoints.FirstOrDefault(e => e.Name == endpointName)
            ?? throw new InvalidOperationException($"Module '{module.Name}': config {key} = {value}: module '{name}' has no endpoint '{endpointName}'.");
        return Port(target, endpoint).ToString(CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^\{(?<module>[a-z0-9-]+):(?<endpoint>[^{}:]+)\}$")]
    private static partial Regex Reference();
}
