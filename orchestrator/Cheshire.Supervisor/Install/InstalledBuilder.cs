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
    public InstalledBuilder(ReloadSettings reload, InstallSettings settings)
    {
        var root = reload with { CheckoutDirectory = "/", SourceDirectory = "/" };
        Builds = new ModuleBuilds(Path.Combine(reload.BuildsDirectory, "installed"));
        var sources = new SourceTree(root, ModuleGraph.From([]));
        Builder = new ModuleBuilder(root, sources, Builds);
        Tests = new ModuleTestRunner(root, sources, Builder);
        Checkout = reload.SourceDirectory;
        ModulesDirectory = settings.ModulesDirectory;
    }

    public ModuleBuilds Builds { get; }
    public ModuleBuilder Builder { get; }
    public ModuleTestRunner Tests { get; }
    public string Checkout { get; }
    public string ModulesDirectory { get; }

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
    }

    /// <summary>The newest build folder of an installed module, or null.</summary>
    public string? LatestBuild(string module)
    {
        var folder = Path.Combine(Builds.Directory, module);
        if (!Directory.Exists(folder))
            return null;
        return Directory.EnumerateDirectories(folder)
            .Select(d => (Path: d, Number: int.TryParse(Path.GetFileName(d), out var n) ? n : -1))
            .Where(d => d.Number > 0).OrderByDescending(d => d.Number).Select(d => d.Path).FirstOrDefault();
    }

    private void Write(string name, string text)
    {
        var path = Path.Combine(ModulesDirectory, name);
        if (!File.Exists(path) || File.ReadAllText(path) != text)
            File.WriteAllText(path, text);
    }
}
