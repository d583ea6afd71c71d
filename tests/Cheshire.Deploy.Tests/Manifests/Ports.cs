using k8s.Models;

namespace Cheshire.Deploy.Tests.Manifests;

/// <summary>Reading ports out of settings and container specs.</summary>
public static class Ports
{
    /// <summary>The port of "PORT", "HOST:PORT", "[V6]:PORT" or "scheme://host:port/".</summary>
    public static int Of(string setting)
    {
        if (Uri.TryCreate(setting, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            return uri.Port;
        var text = setting[(setting.LastIndexOf(':') + 1)..];
        return int.TryParse(text, out var port) ? port : throw new FormatException($"'{setting}' names no port");
    }

    /// <summary>The host of "HOST:PORT" or "scheme://host:port".</summary>
    public static string HostOf(string setting) =>
        Uri.TryCreate(setting, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri.Host
            : setting[..setting.LastIndexOf(':')].Trim('[', ']');

    /// <summary>The container port a Service's targetPort names (by name or number), or null.</summary>
    public static V1ContainerPort? Target(V1Container container, IntOrString target) =>
        container.Ports?.FirstOrDefault(p => p.Name == target.Value || p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == target.Value);
}
