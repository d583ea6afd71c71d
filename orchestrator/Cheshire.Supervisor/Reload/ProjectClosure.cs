using System.Xml.Linq;

namespace Cheshire.Supervisor.Reload;

/// <summary>A project and every project it references, directly or not (ProjectReference items of the .csproj files).</summary>
public static class ProjectClosure
{
    public static IReadOnlyList<string> Of(string projectPath)
    {
        var seen = new List<string>();
        Visit(Path.GetFullPath(projectPath));
        return seen;

        void Visit(string path)
        {
            if (seen.Contains(path) || !File.Exists(path))
                return;
            seen.Add(path);
            var directory = Path.GetDirectoryName(path)!;
            foreach (var reference in XDocument.Load(path).Descendants().Where(e => e.Name.LocalName == "ProjectReference"))
                if (reference.Attribute("Include")?.Value is { Length: > 0 } include)
                    Visit(Path.GetFullPath(Path.Combine(directory, include.Replace('\\', Path.DirectorySeparatorChar))));
        }
    }
}
