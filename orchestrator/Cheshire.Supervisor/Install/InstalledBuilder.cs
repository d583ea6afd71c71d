using System.Diagnostics;
using System.Globalization;
using Cheshire.Modules;
using Cheshire.Supervisor.Reload;

namespace Cheshire.Supervisor.Install;

/// <summary>
/// The reload pipeline's builder and test runner, for packages in DATADIR/modules rather than in the source tree: its
/// source root is "/", so every project (the package's and the checkout's projects it references) builds into the
/// build tree DATADIR/builds/installed/tree at its absolute path, and versioned outputs go to DATADIR/builds/installed/NAME/N.
/// DATADIR/modules gets a Directory.Build.props and Directory.Packages.props importing the checkout's, and
/// $(CheshireRoot) naming the checkout, so a package's project references Cheshire's projects as
/// $(CheshireRoot)orchestrator/Cheshire.ServiceDefaults/Cheshire.ServiceDefaults.csproj.
/// </summary>
public sealed class InstalledBuilder
{
    private const string ExcludesFileName = "Cheshire.Excludes.props";

    public InstalledBuilder(ReloadSettings reload, InstallSettings settings)
    {
        var root = reload with { CheckoutDirectory = "/", SourceDirectory = "/" };
        Builds = new ModuleBuilds(Path.Combine(reload.BuildsDirectory, "installed"));
        _sources = new SourceTree(root, ModuleGraph.From([]));
        Builder = new ModuleBuilder(root, _sources, Builds);
        Tests = new ModuleTestRunner(root, _sources, Builder);
        Checkout = reload.SourceDirectory;
        ModulesDirectory = settings.ModulesDirectory;
    }

    private readonly SourceTree _sources;

    public ModuleBuilds Builds { get; }
    public ModuleBuilder Builder { get; }
    public ModuleTestRunner Tests { get; }
    public string Checkout { get; }
    public string ModulesDirectory { get; }

    /// <summary>The module's test project (its full path), or "" when it declares none.</summary>
    public string TestProjectOf(ModuleDescriptor module) => _sources.TestProjectOf(module) ?? "";

    /// <summary>
    /// Builds the installed module into a new versioned folder and runs its tests there, under the build tree's lock
    /// (logs NAME-N-<paramref name="logName"/>.log and NAME-N-<paramref name="logName"/>-tests.*). The build's folder is
    /// left only when both pass: the newest folder is the one the node starts at its next start.
    /// </summary>
    public async Task<InstalledBuild> BuildAndTestAsync(ModuleDescriptor module, string logName, IEnumerable<string> changed,
        DateTimeOffset now, CancellationToken ct)
    {
        using var tree = await Builder.LockAsync(ct);
        var build = Builds.Next(module.Name, now);
        var built = await Builder.BuildAsync(module, build, logName, changed, ct);
        if (!built.Succeeded)
            return new InstalledBuild(build, built, null, Path.Combine(Builder.LogsDirectory, $"{module.Name}-{build.Number}-{logName}.log"));
        Builder.Snapshot(module, build);
        var tested = await Tests.RunAsync(module, build, logName + "-", ct);
        if (!tested.Passed)
            Remove(build.Directory);
        return new InstalledBuild(build, built, tested, Path.Combine(Builder.LogsDirectory, $"{module.Name}-{build.Number}-{logName}.log"));
    }

    public static void Remove(string path)
    {
        try
        {
            if (Directory.Exists(path))
                Directory.Delete(path, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>The props that make DATADIR/modules build like a folder of the checkout.</summary>
    public void WriteProps()
    {
        Directory.CreateDirectory(ModulesDirectory);
        var checkout = Checkout.TrimEnd('/') + "/";
        Write("Directory.Build.props", $"""
            <Project>
              <!-- Written by the Cheshire supervisor: installed modules build with the checkout's settings. -->
              <PropertyGroup>
                <CheshireRoot>{checkout}</CheshireRoot>
              </PropertyGroup>
              <Import Project="{checkout}Directory.Build.props" />
            </Project>
            """);
        Write("Directory.Packages.props", $"""
            <Project>
              <Import Project="{checkout}Directory.Packages.props" />
            </Project>
            """);
        // The checkout's projects build into the build tree, so MSBuild no longer skips their own bin/ and obj/: the
        // generated sources a build of the checkout left there (AssemblyInfo, GlobalUsings) would be compiled twice.
        // MSBuild reads Directory.Build.rsp above the project it builds; its global property reaches every project.
        Write(ExcludesFileName, """
            <Project>
              <!-- Written by the Cheshire supervisor: the checkout's own build output is not source. -->
              <PropertyGroup>
                <DefaultItemExcludes>$(DefaultItemExcludes);bin/**;obj/**</DefaultItemExcludes>
              </PropertyGroup>
            </Project>
            """);
        Write("Directory.Build.rsp", $"""
            # Written by the Cheshire supervisor (see {ExcludesFileName}).
            -p:CustomBeforeMicrosoftCommonProps={Path.Combine(ModulesDirectory, ExcludesFileName)}

            """);
    }

    /// <summary>
    /// The newest build of an installed module, or null: its folder, and its id as the program's version carries it after
    /// '+' (what the module's GetInfo reports).
    /// </summary>
    public ModuleBuild? LatestBuild(ModuleDescriptor module)
    {
        var folder = Path.Combine(Builds.Directory, module.Name);
        if (!Directory.Exists(folder))
            return null;
        var latest = Directory.EnumerateDirectories(folder)
            .Select(d => (Path: d, Number: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1))
            .Where(d => d.Number > 0).MaxBy(d => d.Number);
        if (latest.Path is null || !File.Exists(ProgramOf(module, latest.Path)))
            return null;
        var version = FileVersionInfo.GetVersionInfo(ProgramOf(module, latest.Path)).ProductVersion ?? "";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return new ModuleBuild(latest.Number, plus < 0 ? latest.Number.ToString(CultureInfo.InvariantCulture) : version[(plus + 1)..], latest.Path);
    }

    /// <summary>The module's program in a build folder (the project's name, .dll).</summary>
    public static string ProgramOf(ModuleDescriptor module, string buildDirectory) =>
        Path.Combine(buildDirectory, Path.GetFileNameWithoutExtension(module.Project) + ".dll");

    private void Write(string name, string text)
    {
        var path = Path.Combine(ModulesDirectory, name);
        if (!File.Exists(path) || File.ReadAllText(path) != text)
            File.WriteAllText(path, text);
    }
}
