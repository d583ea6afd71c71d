namespace Cheshire.StyxClient.Links;

/// <summary>
/// The "Link" section as written (bound by ServiceDefaults' AddModuleSettings), checked at start and for every value set
/// at run time (Modules.SetConfig). Every key applies at the module's next start (the listener is built once).
/// </summary>
public sealed class LinkListenerOptions
{
    public const string Section = "Link";

    /// <summary>"PORT" (all interfaces) or "ADDRESS:PORT"; empty: all interfaces on 5660.</summary>
    public string Endpoint { get; set; } = "";

    public double IdleSeconds { get; set; } = 300;

    public int MaxLinks { get; set; } = 256;

    /// <summary>Throws naming the key of the first bad value.</summary>
    public void Validate()
    {
        LinkSettings.ParseEndpoint(Endpoint);
        if (!(IdleSeconds > 0 && IdleSeconds <= 86400))
            throw new InvalidOperationException($"{LinkSettings.IdleSecondsKey} {IdleSeconds} must be more than 0 and at most 86400 seconds.");
        if (MaxLinks < 1)
            throw new InvalidOperationException($"{LinkSettings.MaxLinksKey} {MaxLinks} must be at least 1.");
    }
}
