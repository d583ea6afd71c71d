using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace Cheshire.ServiceDefaults.Config;

/// <summary>
/// A module's dynamic configuration as a configuration source: its <see cref="ConfigOverlayFile"/>, added last, so it
/// wins over appsettings.json, the environment the AppHost sets and the command line; reloaded when the file changes
/// (at once when ModuleConfig writes it, within seconds after a hand edit).
/// </summary>
public sealed class ConfigOverlay
{
    private ConfigOverlay(string resourceName, ConfigOverlayFile file, JsonConfigurationSource source)
    {
        ResourceName = resourceName;
        File = file;
        Source = source;
    }

    /// <summary>The module's resource name: the module, or module-i for instance i of several (Cheshire:Instance).</summary>
    public string ResourceName { get; }
    public ConfigOverlayFile File { get; }
    public JsonConfigurationSource Source { get; }

    public static ConfigOverlay Create(string dataDirectory, string module, IConfiguration configuration)
    {
        var name = configuration["Cheshire:Instance"] is { Length: > 0 } instance ? $"{module}-{instance}" : module;
        var file = new ConfigOverlayFile(ConfigOverlayFile.PathFor(dataDirectory, name));
        var folder = Path.GetDirectoryName(file.Path)!;
        // The file provider's root must exist before the first value is set.
        Directory.CreateDirectory(folder);
        var source = new JsonConfigurationSource
        {
            // Polled (every 4 s), not an inotify watcher: instances are limited per user (128 by default) and a machine
            // running a few nodes' modules would run out. Values set through ModuleConfig are loaded at once anyway;
            // polling only picks up hand edits.
            FileProvider = new PhysicalFileProvider(folder) { UsePollingFileWatcher = true, UseActivePolling = true },
            Path = Path.GetFileName(file.Path),
            Optional = true,
            ReloadOnChange = true,
        };
        return new ConfigOverlay(name, file, source);
    }

    /// <summary>
    /// Reads the file again now rather than when the watcher notices: the configuration, and every IOptionsMonitor on
    /// it, holds the new values when this returns.
    /// </summary>
    public void Reload(IConfiguration configuration) => Provider(configuration)?.Load();

    /// <summary>The module's configuration without this overlay: what applies when no dynamic value is set.</summary>
    public IEnumerable<IConfigurationProvider> OtherProviders(IConfiguration configuration) =>
        configuration is IConfigurationRoot root ? root.Providers.Where(p => p != Provider(configuration)) : [];

    private FileConfigurationProvider? Provider(IConfiguration configuration) =>
        (configuration as IConfigurationRoot)?.Providers.OfType<FileConfigurationProvider>().FirstOrDefault(p => p.Source == Source);
}
