namespace Cheshire.Modules;

/// <summary>
/// A port a module listens on that is not HTTP: the AppHost publishes it under <see cref="Name"/> and tells the
/// module where to bind through the configuration key <see cref="Setting"/> (as "127.0.0.1:port").
/// </summary>
public sealed record ModuleEndpoint
{
    public required string Name { get; init; }

    /// <summary>The default port; the AppHost setting Cheshire:Ports:&lt;module&gt;:&lt;name&gt; overrides it.</summary>
    public required int Port { get; init; }

    /// <summary>"tcp" or "udp".</summary>
    public string Protocol { get; init; } = "tcp";

    /// <summary>The module's configuration key that receives the bind address, e.g. "Styx:Endpoint".</summary>
    public required string Setting { get; init; }

    internal void Validate(string path)
    {
        if (string.IsNullOrWhiteSpace(Name) || string.IsNullOrWhiteSpace(Setting))
            throw new InvalidDataException($"{path}: an endpoint needs a name and a setting.");
        if (Port is < 0 or > 65535)
            throw new InvalidDataException($"{path}: endpoint '{Name}' has port {Port}, outside 0-65535.");
        if (Protocol is not ("tcp" or "udp"))
            throw new InvalidDataException($"{path}: endpoint '{Name}' has protocol '{Protocol}'; use tcp or udp.");
    }
}
