using System.ComponentModel;
using Cheshire.Protos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Cheshire.ServiceDefaults.Config;

/// <summary>
/// Sets a module's dynamic configuration: a key of one of its settings classes (<see cref="SettingsSection"/>) or a
/// log level. The value is checked by the module's own validators on the configuration it would make, then saved
/// (<see cref="ConfigOverlayFile"/>) and loaded at once. A refused value leaves the file as it was.
/// </summary>
public sealed class DynamicConfiguration(ConfigOverlay overlay, IEnumerable<SettingsSection> sections, IConfiguration configuration,
    IServiceProvider services)
{
    private readonly Lock _gate = new();
    private readonly IReadOnlyList<SettingsSection> _sections = [.. sections.OrderByDescending(s => s.Section.Length)];

    private string Name => overlay.ResourceName;

    private sealed record Setting(string Key, Type Type, SettingsSection? Section)
    {
        public bool Live => Section?.IsLive(Key) ?? true; // a log level always applies at once
    }

    public SetConfigReply Set(string key, string value, bool reset)
    {
        var setting = Resolve(key);
        if (!reset)
            value = CheckValue(setting, value);
        lock (_gate)
        {
            var values = overlay.File.Read();
            if (reset)
                values.Remove(setting.Key);
            else
            {
                values.Remove(setting.Key); // its old spelling, if another
                values[setting.Key] = value;
            }
            if (setting.Section is { } section)
            {
                using var candidate = CandidateConfiguration.Build(overlay.OtherProviders(configuration), values);
                if (section.Check(candidate, services) is { Count: > 0 } failures)
                    throw new ConfigRefusedException(reset
                        ? $"{Name} cannot go back to the static value of {setting.Key}: {string.Join(" ", failures)}"
                        : $"{Name} refuses {setting.Key} = '{value}': {string.Join(" ", failures)}");
            }
            overlay.File.Write(values);
            overlay.Reload(configuration);
            var reply = new SetConfigReply
            {
                Key = setting.Key,
                Value = reset ? "" : value,
                Live = setting.Live,
                Detail = setting.Live ? "applied now" : $"saved; applies at the next restart of {Name}",
            };
            reply.Dynamic.AddRange(Entries(values));
            return reply;
        }
    }

    public ConfigReply Describe()
    {
        var reply = new ConfigReply { File = overlay.File.Path };
        lock (_gate)
            reply.Dynamic.AddRange(Entries(overlay.File.Read()));
        foreach (var section in _sections.OrderBy(s => s.Section, StringComparer.Ordinal))
        {
            reply.Keys.AddRange(SettingsKeys.Of(section.Type, section.Section)
                .Where(k => !_sections.Any(s => s.Section.Length > section.Section.Length && k.Path.StartsWith(s.Section + ":", StringComparison.OrdinalIgnoreCase)))
                .Select(k => new ConfigKey { Key = k.Path, Type = SettingsKeys.Describe(k.Type), Live = section.IsLive(k.Path) }));
            try
            {
                reply.Effective.AddRange(SettingsKeys.Values(section.Current(services), section.Section)
                    .Select(v => new ConfigEntry { Key = v.Key, Value = v.Value, Live = section.IsLive(v.Key) }));
            }
            catch (OptionsValidationException e)
            {
                // Only a hand-edited file can get here: values set through Set were checked.
                reply.Effective.Add(new ConfigEntry { Key = section.Section, Value = $"invalid: {e.Message}" });
            }
        }
        reply.Keys.Add(new ConfigKey { Key = LogLevelKeys.Pattern, Type = "LogLevel", Live = true });
        reply.Effective.AddRange(configuration.GetSection(LogLevelKeys.Prefix).GetChildren()
            .Where(c => c.Value is not null)
            .Select(c => new ConfigEntry { Key = $"{LogLevelKeys.Prefix}:{c.Key}", Value = c.Value, Live = true }));
        return reply;
    }

    private IEnumerable<ConfigEntry> Entries(IReadOnlyDictionary<string, string> values) =>
        values.Select(v => new ConfigEntry { Key = v.Key, Value = v.Value, Live = TryResolve(v.Key)?.Live ?? false });

    private Setting Resolve(string key)
    {
        key = key.Trim();
        if (key.Length == 0)
            throw new ConfigRefusedException($"the key is empty: give a configuration key of {Name}, e.g. {LogLevelKeys.Prefix}:Default.");
        if (TryResolve(key) is { } setting)
            return setting;
        if (LogLevelKeys.Matches(key))
            throw LogLevelKeys.NoCategory(key);
        if (_sections.FirstOrDefault(s => key.StartsWith(s.Section + ":", StringComparison.OrdinalIgnoreCase)) is { } near)
            throw new ConfigRefusedException($"'{key}' is not a setting of {Name}: {near.Section} takes " +
                string.Join(", ", SettingsKeys.Of(near.Type, near.Section).Select(k => k.IsCollection ? k.Path + ":N" : k.Path)) + ".");
        throw new ConfigRefusedException($"'{key}' is not a setting {Name} takes at run time; it takes keys under " +
            string.Join(", ", _sections.Select(s => s.Section + ":").Append(LogLevelKeys.Prefix + ":")) + ".");
    }

    private Setting? TryResolve(string key)
    {
        if (LogLevelKeys.Matches(key))
            return LogLevelKeys.Canonical(key) is { } logging ? new Setting(logging, typeof(Microsoft.Extensions.Logging.LogLevel), null) : null;
        foreach (var section in _sections)
            if (SettingsKeys.Resolve(section.Type, section.Section, key) is { } resolved)
                return new Setting(resolved.Key, resolved.Type, section);
        return null;
    }

    /// <summary>The value as it will be saved, once it converts to the setting's type.</summary>
    private static string CheckValue(Setting setting, string value)
    {
        if (setting.Section is null)
            return LogLevelKeys.Level(setting.Key, value);
        var type = Nullable.GetUnderlyingType(setting.Type) ?? setting.Type;
        if (type == typeof(string) || type == typeof(object))
            return value;
        var what = SettingsKeys.Describe(type);
        if (value.Trim().Length == 0)
            throw new ConfigRefusedException($"{setting.Key} takes a {what}; give one, or reset the key to its static value.");
        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value.Trim());
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or OverflowException ||
                                  e.InnerException is FormatException or OverflowException)
        {
            throw new ConfigRefusedException($"{setting.Key} takes a {what}: '{value}' is not one.");
        }
        return value.Trim();
    }
}
