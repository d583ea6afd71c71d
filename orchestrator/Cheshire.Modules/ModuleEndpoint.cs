namespace Cheshire.Modules;

/// <summary>
/// A port a module listens on that is not HTTP: the AppHost publishes it under <see cref="Name"/> and tells the
/// module where to bind through the configuration key <see cref="Setting"/> (as "127.0.0.1:port", or the bare port).
/// </summary>
public sealed record ModuleEndpoint
{
    public const string AddressFormat = "address";
    public const string PortFormat = "port";

    public required string Name { get; init; }

    /// <summary>
    /// The default port, moved by the AppHost's Cheshire:PortOffset; the AppHost setting Cheshire:Ports:&lt;module&gt;:&lt;name&gt;
    /// gives it exactly.
    /// </summary>
    public required int Port { get; init; }

    /// <summary>"tcp" or "udp".</summary>
    public string Protocol { get; init; } = "tcp";

    /// <summary>The module's configuration key that receives the bind address, e.g. "Styx:Endpoint".</summary>
    public required string Setting { get; init; }

    /// <summary>
    /// What <see cref="Setting"/> receives: "address" (127.0.0.1:port, the module binds loopback) or "port" (the bare
    /// port: the module picks its address itself, e.g. all interfaces for peers). A bare-port endpoint allows several
    /// instances of the module: instance i listens on port + i.
    /// </summary>
    public string Format { get; init; } = AddressFormat;

    internal void Validate(string path)
    {
        if (string.IsNullOrWhiteSpace(Name) || string.IsNullOrWhiteSpace(Setting))
            throw new InvalidDataException($"{path}: an endpoint needs a name and a setting.");
        if (Port is < 0 or > 65535)
            throw new InvalidDataException($"{path}: endpoint '{Name}' has port {Port}, outside 0-65535.");
        if (Protocol is not ("tcp" or "udp"))
            throw new InvalidDataException($"{path}: endpoint '{Name}' has protocol '{Protocol}'; use tcp or udp.");
        if (Format is not (AddressFormat or PortFormat))
            throw new InvalidDataException($"{path}: endpoint '{Name}' has format '{Format}'; use {AddressFormat} or {PortFormat}.");
    }
}
