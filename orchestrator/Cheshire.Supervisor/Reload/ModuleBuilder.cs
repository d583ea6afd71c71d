using Cheshire.Modules;

namespace Cheshire.Supervisor.Reload;

/// <summary>
/// Builds modules and their tests from the source tree into the node's build tree (DATADIR/builds/tree), never into the
/// sources' own bin/ and obj/: a generated Directory.Build.props (passed as DirectoryBuildPropsPath) imports the project's
/// own, moves each project's bin and obj under the build tree at the project's path there and keeps the checkout's own bin/
/// and obj/ (left by a normal build, e.g. of the AppHost the node runs from) out of its sources. The tree is kept between
/// builds, so a rebuild compiles only what changed. A module's output is then copied to a fresh versioned folder,
/// which the module runs from; the next build never touches it. One build at a time (they share the tree).
/// </summary>
public sealed class ModuleBuilder(ReloadSettings settings, SourceTree sources, ModuleBuilds builds)
{
    private const string Configuration = "Debug";
    private const string PropsFileName = "Cheshire.Build.props";

    private const string Props = """
        <Project>
          <!-- Written by the Cheshire supervisor: builds of the source tree go to the node's build tree, not to bin/ and obj/. -->
          <PropertyGroup>
            <_CheshireOwnProps>$([MSBuild]::GetPathOfFileAbove('Directory.Build.props', '$(MSBuildProjectDirectory)'))</_CheshireOwnProps>
          </PropertyGroup>
          <Import Project="$(_CheshireOwnProps)" Condition="'$(_CheshireOwnProps)' != ''" />
          <PropertyGroup>
            <_CheshireRelative>$([MSBuild]::MakeRelative('$(CheshireSourceRoot)', '$(MSBuildProjectDirectory)'))</_CheshireRelative>
            <BaseIntermediateOutputPath>$(CheshireBuildRoot)$(_CheshireRelative)/obj/</BaseIntermediateOutputPath>
            <BaseOutputPath>$(CheshireBuildRoot)$(_CheshireRelative)/bin/</BaseOutputPath>
            <!-- With bin and obj moved, MSBuild no longer skips the project's own: the sources a normal build of the checkout
                 generated there (AssemblyInfo, GlobalUsings, gRPC code) would be compiled twice. -->
            <DefaultItemExcludes>$(DefaultItemExcludes);bin/**;obj/**</DefaultItemExcludes>
            <!-- Only the module being built carries the build id in its version (GetInfo reports it); the others stay unchanged. -->
            <SourceRevisionId Condition="'$(MSBuildProjectFullPath)' == '$(CheshireBuildProject)'">$(CheshireBuildId)</SourceRevisionId>
          </PropertyGroup>
        </Project>
        """;

    private static readonly string[] ProjectFiles = [".csproj", ".props", ".targets", ".json"];

    private readonly SemaphoreSlim _tree = new(1, 1);
    private readonly HashSet<string> _restored = [];

    /// <summary>DATADIR/builds/tree: every project's bin and obj, at its path in the source tree.</summary>
    public string TreeDirectory => Path.Combine(builds.Directory, "tree");

    public string LogsDirectory => Path.Combine(builds.Directory, "logs");

    /// <summary>Only one build (and test build) at a time: they share the build tree.</summary>
    public async Task<IDisposable> LockAsync(CancellationToken cancellationToken)
    {
        await _tree.WaitAsync(cancellationToken);
        return new Release(_tree);
    }

    /// <summary>
    /// What a reload builds: the module's test project when it declares one (which builds the module with it, in one
    /// MSBuild run: one evaluation of the project graph instead of two), else the module's project.
    /// </summary>
    public string ProjectToBuild(ModuleDescriptor module) =>
        sources.TestProjectOf(module) is { } tests && File.Exists(tests) ? tests : sources.ProjectOf(module);

    /// <summary>
    /// Builds the module (<see cref="ProjectToBuild"/>) with its build id. NuGet restore runs on the first build of a
    /// project and after a change to a project, props, targets or json file; otherwise it is skipped (seconds saved).
    /// </summary>
    public async Task<CommandResult> BuildAsync(ModuleDescriptor module, ModuleBuild build, string logName, IEnumerable<string> changed,
        CancellationToken cancellationToken)
    {
        Prepare();
        var project = ProjectToBuild(module);
        var restore = !_restored.Contains(project) || changed.Any(f => ProjectFiles.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase)));
        string[] arguments =
        [
            "build", project, "-c", Configuration, "-nologo", "-clp:ErrorsOnly;NoSummary", .. restore ? Array.Empty<string>() : ["--no-restore"],
            // A reload is a dev loop: keep MSBuild's worker nodes and the compiler server (VBCSCompiler) warm between builds,
            // whatever the environment that started the node says (a CI machine may turn both off). Both end by themselves
            // when idle; they get no pipe of ours (DotnetCommand: a log file, stdin /dev/null).
            "-nodeReuse:true", "-p:UseSharedCompilation=true",
            // The restore's vulnerability audit asks nuget.org; a node without Internet access would fail every build on
            // its warning (NU1900, warnings are errors here). Audits belong to the developer's own build, not the reload.
            "-p:NuGetAudit=false",
            $"-p:DirectoryBuildPropsPath={Path.Combine(builds.Directory, PropsFileName)}",
            $"-p:CheshireSourceRoot={WithSlash(sources.Root)}",
            $"-p:CheshireBuildRoot={WithSlash(TreeDirectory)}",
            $"-p:CheshireBuildProject={sources.ProjectOf(module)}",
            $"-p:CheshireBuildId={build.Id}",
        ];
        var result = await DotnetCommand.RunAsync(arguments, sources.Root, Path.Combine(LogsDirectory, $"{module.Name}-{build.Number}-{logName}.log"),
            settings.BuildTimeout, cancellationToken);
        if (result.Succeeded)
            _restored.Add(project);
        return result;
    }

    /// <summary>Where a project's output lands in the build tree (bin/Debug/TFM).</summary>
    public string OutputOf(string project)
    {
        var bin = Path.Combine(TreeDirectory, Path.GetRelativePath(sources.Root, Path.GetDirectoryName(project)!), "bin", Configuration);
        return System.IO.Directory.EnumerateDirectories(bin).OrderByDescending(d => File.GetLastWriteTimeUtc(d)).First();
    }

    /// <summary>Copies the module's output from the build tree to the build's own folder.</summary>
    public void Snapshot(ModuleDescriptor module, ModuleBuild build)
    {
        var output = OutputOf(sources.ProjectOf(module));
        var staging = build.Directory + ".partial";
        if (System.IO.Directory.Exists(staging))
            System.IO.Directory.Delete(staging, recursive: true);
        Copy(output, staging);
        System.IO.Directory.Move(staging, build.Directory);
    }

    /// <summary>The tests' build folder must look like a checkout to the test kit (Cheshire.sln above the test binary).</summary>
    private void Prepare()
    {
        System.IO.Directory.CreateDirectory(TreeDirectory);
        var props = Path.Combine(builds.Directory, PropsFileName);
        if (!File.Exists(props) || File.ReadAllText(props) != Props)
            File.WriteAllText(props, Props);
        var marker = Path.Combine(TreeDirectory, "Cheshire.sln");
        if (!File.Exists(marker) && File.Exists(Path.Combine(sources.Root, "Cheshire.sln")))
            File.CreateSymbolicLink(marker, Path.Combine(sources.Root, "Cheshire.sln"));
    }

    private static void Copy(string from, string to)
    {
        System.IO.Directory.CreateDirectory(to);
        foreach (var file in System.IO.Directory.EnumerateFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var directory in System.IO.Directory.EnumerateDirectories(from))
            Copy(directory, Path.Combine(to, Path.GetFileName(directory)));
    }

    private static string WithSlash(string path) => path.EndsWith(Path.DirectorySeparatorChar) ? path : path + Path.DirectorySeparatorChar;

    private sealed class Release(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                semaphore.Release();
        }
    }
}
