using Cheshire.GlobalNamespace;

namespace Cheshire.StyxProvider.Publishing;

/// <summary>
/// The "Publishing" section as written (bound by ServiceDefaults' AddModuleSettings), checked at start and for every
/// value set at run time (Modules.SetConfig). Every key applies at the module's next start.
/// </summary>
public sealed class PublishingOptions
{
    public const string Section = "Publishing";

    public TimeSpan EntryLifetime { get; set; } = PublishingSettings.DefaultLifetime;

    /// <summary>Empty: styx-provider-published.json in the node's data folder.</summary>
    public string StateFile { get; set; } = "";

    /// <summary>Throws naming the key of the first bad value.</summary>
    public void Validate()
    {
        if (EntryLifetime < PublishingSettings.MinLifetime || EntryLifetime > NamespaceEntry.MaxLifetime)
            throw new InvalidOperationException(
                $"{PublishingSettings.LifetimeKey} {EntryLifetime} must be between {PublishingSettings.MinLifetime} and {NamespaceEntry.MaxLifetime}.");
    }
}
