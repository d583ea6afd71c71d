using Cheshire.Testing;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// A copy of the checkout's sources (no bin/, obj/, .git or node_modules) in a temporary folder, for tests that edit
/// sources: the checkout itself is never changed.
/// </summary>
public sealed class SourceCopy : IDisposable
{
    private static readonly string[] Files = ["Cheshire.sln", "Directory.Build.props", "Directory.Packages.props", "global.json", "NuGet.config", "nuget.config"];
    private static readonly string[] Folders = ["protos", "libs", "services", "orchestrator", "tests"];
    private static readonly string[] Skipped = ["bin", "obj", "TestResults", "node_modules"];

    public string Root { get; } = ModuleProcess.NewTempDirectory("sources");

    public SourceCopy()
    {
        var from = ModuleProcess.RepositoryRoot;
        foreach (var file in Files.Where(f => File.Exists(Path.Combine(from, f))))
            File.Copy(Path.Combine(from, file), Path.Combine(Root, file));
        foreach (var folder in Folders)
            Copy(Path.Combine(from, folder), Path.Combine(Root, folder));
    }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>Replaces <paramref name="find"/> (which must be there) in a file of the copy.</summary>
    public void Replace(string relative, string find, string replacement)
    {
        var text = File.ReadAllText(PathOf(relative));
        Assert.Contains(find, text);
        File.WriteAllText(PathOf(relative), text.Replace(find, replacement, StringComparison.Ordinal));
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var directory in Directory.EnumerateDirectories(from))
        {
            var name = Path.GetFileName(directory);
            if (!Skipped.Contains(name) && !name.StartsWith('.'))
                Copy(directory, Path.Combine(to, name));
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
            Directory.Delete(Root, recursive: true);
    }
}
