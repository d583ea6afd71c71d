using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Primitives;

namespace Cheshire.ServiceDefaults.Config;

/// <summary>
/// The module's configuration as it would be with other dynamic values: its static sources as they are now, and the
/// candidate values on top. Nothing is loaded again and nothing is written.
/// </summary>
public static class CandidateConfiguration
{
    public static ConfigurationRoot Build(IEnumerable<IConfigurationProvider> staticProviders, IReadOnlyDictionary<string, string> values) =>
        new([
            .. staticProviders.Select(p => new Borrowed(p)),
            new MemoryConfigurationProvider(new MemoryConfigurationSource { InitialData = values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value)) }),
        ]);

    /// <summary>A provider of the running configuration, read as it is: not loaded again, not watched, not disposed.</summary>
    private sealed class Borrowed(IConfigurationProvider inner) : IConfigurationProvider
    {
        public bool TryGet(string key, out string? value) => inner.TryGet(key, out value);
        public void Set(string key, string? value) => throw new NotSupportedException("a candidate configuration is read-only");
        public IChangeToken GetReloadToken() => new ConfigurationReloadToken();
        public void Load() { }
        public IEnumerable<string> GetChildKeys(IEnumerable<string> earlierKeys, string? parentPath) => inner.GetChildKeys(earlierKeys, parentPath);
    }
}
