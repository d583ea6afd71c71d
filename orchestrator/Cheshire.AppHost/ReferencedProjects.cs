using System.Reflection;

namespace Cheshire.AppHost;

/// <summary>
/// The projects the AppHost references, as Aspire's generated metadata. Those are built with the AppHost,
/// so Aspire starts them with --no-build; a project added by path alone would be rebuilt at every start.
/// </summary>
internal static class ReferencedProjects
{
    private static readonly MethodInfo AddProjectOfT = typeof(ProjectResourceBuilderExtensions)
        .GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Single(m => m.Name == nameof(ProjectResourceBuilderExtensions.AddProject) && m.IsGenericMethodDefinition &&
                     m.GetParameters().Length == 2);

    private static readonly Dictionary<string, Type> ByPath = typeof(ReferencedProjects).Assembly.GetTypes()
        .Where(t => t.Namespace == "Projects" && typeof(IProjectMetadata).IsAssignableFrom(t) && !t.IsAbstract)
        .ToDictionary(t => Path.GetFullPath(((IProjectMetadata)Activator.CreateInstance(t)!).ProjectPath));

    public static IResourceBuilder<ProjectResource> Add(IDistributedApplicationBuilder builder, string name, string projectPath)
    {
        if (!ByPath.TryGetValue(Path.GetFullPath(projectPath), out var metadata))
            throw new InvalidOperationException(
                $"Module '{name}': {projectPath} is not referenced by the AppHost. Add a ProjectReference to Cheshire.AppHost.csproj.");
        return (IResourceBuilder<ProjectResource>)AddProjectOfT.MakeGenericMethod(metadata).Invoke(null, [builder, name])!;
    }
}
