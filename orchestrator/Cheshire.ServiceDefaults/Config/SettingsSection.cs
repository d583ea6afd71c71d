using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cheshire.ServiceDefaults.Config;

/// <summary>
/// A module's settings class bound to a configuration section (registered with
/// <see cref="ModuleSettingsExtensions.AddModuleSettings{TSettings}"/>): which keys it has, which of them the module
/// applies while running, and how to check a configuration against the module's validators.
/// </summary>
public sealed class SettingsSection
{
    private readonly Func<IConfiguration, IServiceProvider, IReadOnlyList<string>> _check;
    private readonly Func<IServiceProvider, object> _current;

    private SettingsSection(Type type, string section, IReadOnlyList<string> liveKeys,
        Func<IConfiguration, IServiceProvider, IReadOnlyList<string>> check, Func<IServiceProvider, object> current)
    {
        Type = type;
        Section = section;
        LiveKeys = liveKeys;
        _check = check;
        _current = current;
    }

    public Type Type { get; }
    public string Section { get; }

    /// <summary>Keys (or key prefixes) the module reads through IOptionsMonitor each time it uses them.</summary>
    public IReadOnlyList<string> LiveKeys { get; }

    public static SettingsSection For<TSettings>(string section, IReadOnlyList<string> liveKeys) where TSettings : class, new() =>
        new(typeof(TSettings), section, liveKeys, (configuration, services) => Check<TSettings>(configuration.GetSection(section), services),
            services => services.GetRequiredService<IOptionsMonitor<TSettings>>().CurrentValue);

    public bool IsLive(string key) => LiveKeys.Any(live =>
        string.Equals(key, live, StringComparison.OrdinalIgnoreCase) ||
        key.StartsWith(live + ":", StringComparison.OrdinalIgnoreCase));

    /// <summary>What the module's validators say of the settings <paramref name="configuration"/> holds: nothing when valid.</summary>
    public IReadOnlyList<string> Check(IConfiguration configuration, IServiceProvider services) => _check(configuration, services);

    /// <summary>The settings as the module's code sees them now.</summary>
    public object Current(IServiceProvider services) => _current(services);

    private static IReadOnlyList<string> Check<TSettings>(IConfigurationSection section, IServiceProvider services) where TSettings : class, new()
    {
        var settings = new TSettings();
        try
        {
            section.Bind(settings);
        }
        catch (InvalidOperationException e)
        {
            // The binder's "Failed to convert configuration value '…' at '…' to type '…'".
            return [e.Message];
        }
        return [.. services.GetServices<IValidateOptions<TSettings>>()
            .Select(v => v.Validate(Options.DefaultName, settings))
            .Where(r => r.Failed)
            .SelectMany(r => r.Failures ?? [r.FailureMessage ?? "invalid"])];
    }
}
