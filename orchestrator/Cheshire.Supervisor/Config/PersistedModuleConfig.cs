using System.Text.Json;
using Cheshire.Protos.Modules;

namespace Cheshire.Supervisor.Config;

/// <summary>
/// A module's dynamic configuration as its file in the node's data folder holds it (DATADIR/config/NAME.json, written
/// by the module's ModuleConfig service in ServiceDefaults, one flat JSON object of keys and values): readable while
/// the module is stopped. The data folder is the one the module was started with (its Cheshire__DataDir).
/// </summary>
public static class PersistedModuleConfig
{
    public const string DataDirectoryVariable = "Cheshire__DataDir";

    /// <summary>The file of <paramref name="module"/>; null before Aspire has reported the module's environment.</summary>
    public static string? PathOf(SupervisedModule module)
    {
        string? dataDirectory;
        lock (module.Gate)
            dataDirectory = module.Snapshot?.EnvironmentVariables.FirstOrDefault(v => v.Name == DataDirectoryVariable)?.Value;
        return string.IsNullOrEmpty(dataDirectory) ? null : PathIn(dataDirectory, module.Name);
    }

    /// <summary>The file of the module (resource) <paramref name="name"/> started with the data folder <paramref name="dataDirectory"/>.</summary>
    public static string PathIn(string dataDirectory, string name) => Path.Combine(dataDirectory, "config", name + ".json");

    /// <summary>The saved keys and values; none when there is no file, and one naming the problem when it does not read.</summary>
    public static IReadOnlyList<ModuleConfigValue> Read(string? path)
    {
        if (path is null || !File.Exists(path))
            return [];
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return [.. document.RootElement.EnumerateObject().Select(p => new ModuleConfigValue
            {
                Key = p.Name,
                Value = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText(),
            })];
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidOperationException)
        {
            return [new ModuleConfigValue { Key = "", Value = $"{path} does not read: {e.Message}" }];
        }
    }
}
