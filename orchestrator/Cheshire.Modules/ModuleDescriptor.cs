using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cheshire.Modules;

/// <summary>A module's module.json: who it is and what it needs. The AppHost builds its graph from these.</summary>
public sealed record ModuleDescriptor
{
    public const string FileName = "module.json";

    /// <summary>Resource name, e.g. "dht". Lower-case letters, digits and '-'.</summary>
    public required string Name { get; init; }

    /// <summary>The project file, relative to the descriptor's folder.</summary>
    public required string Project { get; init; }

    public string Description { get; init; } = "";

    /// <summary>Modules that must be healthy before this one starts, and that it calls.</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>
    /// Modules this one calls without waiting for them: they may start after it (typically because they depend on it,
    /// as styx-root on styx-provider, which mounts its trees in styx-root). The caller must ride out their absence.
    /// </summary>
    public IReadOnlyList<string> Uses { get; init; } = [];

    /// <summary>Whether the supervisor rebuilds and restarts the module when its source changes.</summary>
    public bool Watch { get; init; } = true;

    /// <summary>
    /// Not started with the node: the module starts when first asked for (the supervisor's Modules.Ensure, or
    /// <c>echo start &gt; /modules/NAME/ctl</c>), its dependencies first. Modules that depend on it wait until then.
    /// </summary>
    public bool ExplicitStart { get; init; }

    /// <summary>
    /// The module's fast tests: they gate every reload on a source change and run on Modules.Test. Absent: no tests gate
    /// its reloads.
    /// </summary>
    public ModuleTests? Tests { get; init; }

    /// <summary>
    /// How many copies of the module the node runs (at least 1). With more than one, the AppHost names them
    /// name-0 … name-(N-1), gives each its own data folder and instance index, and dependents reference them all.
    /// </summary>
    public int Instances { get; init; } = 1;

    /// <summary>
    /// Instances declared but not started with the node (explicit start): name-N … name-(N+S-1) after the
    /// <see cref="Instances"/>, each with its own ports, data folder and id, started at run time by Modules.Ensure
    /// (or <c>echo start &gt; /modules/NAME-K/ctl</c>). Dependents are not given their addresses, so a spare that is not
    /// running never counts against them; a spare finds its siblings itself (a dht spare bootstraps through instance 0).
    /// </summary>
    public int SpareInstances { get; init; }

    /// <summary>Fixed, non-HTTP endpoints the module listens on (9P, UDP), besides its gRPC and health endpoints.</summary>
    public IReadOnlyList<ModuleEndpoint> Endpoints { get; init; } = [];

    /// <summary>Configuration given to the module (flattened keys such as "Dht:Port").</summary>
    public IReadOnlyDictionary<string, string> Config { get; init; } = new Dictionary<string, string>();

    /// <summary>Folder the descriptor was read from; set by <see cref="Load"/>.</summary>
    [JsonIgnore]
    public string Directory { get; init; } = "";

    [JsonIgnore]
    public string ProjectPath => Path.GetFullPath(Path.Combine(Directory, Project));

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static ModuleDescriptor Load(string path)
    {
        ModuleDescriptor? descriptor;
        try
        {
            descriptor = JsonSerializer.Deserialize<ModuleDescriptor>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        if (descriptor is null)
            throw new InvalidDataException($"{path}: empty module descriptor.");
        descriptor = descriptor with { Directory = Path.GetDirectoryName(Path.GetFullPath(path))! };
        descriptor.Validate(path);
        return descriptor;
    }

    private void Validate(string path)
    {
        if (!IsValidName(Name))
            throw new InvalidDataException($"{path}: module name '{Name}' must be lower-case letters, digits and '-'.");
        if (Instances < 1)
            throw new InvalidDataException($"{path}: instances is {Instances}; a module runs at least 1 instance.");
        if (SpareInstances < 0)
            throw new InvalidDataException($"{path}: spareInstances is {SpareInstances}; it cannot be negative.");
        foreach (var endpoint in Endpoints)
            endpoint.Validate(path);
        Tests?.Validate(path);
        foreach (var dependency in DependsOn.Concat(Uses))
            if (!IsValidName(dependency))
                throw new InvalidDataException($"{path}: dependency name '{dependency}' is not a module name.");
    }

    private static bool IsValidName(string name) =>
        name.Length is > 0 and <= 63 && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') && name[0] != '-';
}
