namespace Cheshire.ServiceDefaults.Dependencies;

/// <summary>The names of the modules this one watches: its dependencies and every module it has a fail-fast client of.</summary>
public sealed class WatchedModules
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names
    {
        get { lock (_names) return [.. _names]; }
    }

    public bool Contains(string module)
    {
        lock (_names) return _names.Contains(module);
    }

    /// <summary>Adds the module; false when it was watched already.</summary>
    public bool Add(string module)
    {
        lock (_names) return _names.Add(module);
    }
}
