using System.Collections.Concurrent;
using System.Globalization;

namespace Cheshire.Supervisor.Reload;

/// <summary>
/// The build each module runs (a versioned folder DATADIR/builds/NAME/N, or the AppHost's own build of the checkout
/// until the first reload) and the numbers of the next. The AppHost hands a module's build folder to `dotnet run` at every
/// start (see <see cref="StartArguments"/>), so a restart switches to whatever build is current then.
/// </summary>
public sealed class ModuleBuilds(string buildsDirectory)
{
    /// <summary>How many old build folders of a module are kept besides the current one.</summary>
    public const int Kept = 2;

    private readonly ConcurrentDictionary<string, ModuleBuild> _current = new();

    public string Directory => buildsDirectory;

    /// <summary>The module's current build; null while it runs the AppHost's own build of the checkout.</summary>
    public ModuleBuild? Current(string module) => _current.GetValueOrDefault(module);

    public void Use(string module, ModuleBuild? build)
    {
        if (build is null) _current.TryRemove(module, out _);
        else _current[module] = build;
    }

    /// <summary>
    /// `dotnet run` arguments that make the module run from its current build: OutDir is where `dotnet run --no-build`
    /// finds the program (a global property, so exactly this folder).
    /// </summary>
    public IEnumerable<string> StartArguments(string module) =>
        Current(module) is { } build ? [$"--property:OutDir={build.Directory}{Path.DirectorySeparatorChar}"] : [];

    /// <summary>A new build of <paramref name="module"/>: the next number after those on disk, and its folder (not created).</summary>
    public ModuleBuild Next(string module, DateTimeOffset now)
    {
        var folder = Path.Combine(buildsDirectory, module);
        var last = System.IO.Directory.Exists(folder)
            ? System.IO.Directory.EnumerateDirectories(folder).Select(Path.GetFileName)
                .Select(n => int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : 0).DefaultIfEmpty(0).Max()
            : 0;
        var number = last + 1;
        var id = $"{number.ToString(CultureInfo.InvariantCulture)}.{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";
        return new ModuleBuild(number, id, Path.Combine(folder, number.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>Removes the module's old build folders, keeping the current one and the <see cref="Kept"/> newest others.</summary>
    public void Prune(string module)
    {
        var folder = Path.Combine(buildsDirectory, module);
        if (!System.IO.Directory.Exists(folder))
            return;
        var current = Current(module)?.Directory;
        var old = System.IO.Directory.EnumerateDirectories(folder)
            .Select(d => (Path: d, Number: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1))
            .Where(d => d.Number > 0 && d.Path != current)
            .OrderByDescending(d => d.Number).Skip(Kept);
        foreach (var (path, _) in old)
        {
            try { System.IO.Directory.Delete(path, recursive: true); }
            catch (IOException) { } // still in use, e.g. a process that has not ended yet: removed next time
            catch (UnauthorizedAccessException) { }
        }
    }
}

/// <summary>One build of a module: its number, the id its GetInfo version carries after '+', and its folder.</summary>
public sealed record ModuleBuild(int Number, string Id, string Directory);
