namespace Cheshire.Supervisor.Tests;

/// <summary>
/// What a normal build of the checkout leaves in its projects' obj/ folders and a source copy leaves out: the sources it
/// generated (AssemblyInfo, GlobalUsings, gRPC code). A user runs the node from a checkout that has them; the supervisor's
/// builds must not compile them a second time.
/// </summary>
public static class CheckoutBuildOutput
{
    /// <summary>Copies every generated .cs file under an obj/ folder of <paramref name="from"/> to the same place in <paramref name="to"/>'s folders that exist.</summary>
    /// <returns>The copied files, relative to the tree.</returns>
    public static IReadOnlyList<string> CopyGeneratedSources(string from, string to)
    {
        var copied = new List<string>();
        var folders = Directory.EnumerateDirectories(to).Select(Path.GetFileName).Where(f => Directory.Exists(Path.Combine(from, f!)));
        foreach (var obj in folders.SelectMany(f => Directory.EnumerateDirectories(Path.Combine(from, f!), "obj", SearchOption.AllDirectories)))
        {
            var project = Path.GetRelativePath(from, Path.GetDirectoryName(obj)!);
            if (!Directory.Exists(Path.Combine(to, project)) || project.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj" || p.StartsWith('.')))
                continue;
            foreach (var file in Directory.EnumerateFiles(obj, "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(from, file);
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, relative))!);
                File.Copy(file, Path.Combine(to, relative));
                copied.Add(relative);
            }
        }
        return copied;
    }
}
