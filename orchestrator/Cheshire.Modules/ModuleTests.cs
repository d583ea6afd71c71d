namespace Cheshire.Modules;

/// <summary>module.json "tests": the test project that checks a module, and the filter that picks its fast tests.</summary>
public sealed record ModuleTests
{
    /// <summary>The test project file, relative to the descriptor's folder.</summary>
    public required string Project { get; init; }

    /// <summary>
    /// An xunit query filter (https://xunit.net/docs/query-filter-language), e.g. "/*/*/HealthCheckTests/*": the tests
    /// run before a reload and by Modules.Test.
    /// </summary>
    public required string Filter { get; init; }

    internal void Validate(string path)
    {
        if (string.IsNullOrWhiteSpace(Project) || !Project.EndsWith(".csproj", StringComparison.Ordinal))
            throw new InvalidDataException($"{path}: tests.project '{Project}' is not a .csproj path relative to the module's folder.");
        if (string.IsNullOrWhiteSpace(Filter) || Filter[0] != '/')
            throw new InvalidDataException($"{path}: tests.filter '{Filter}' is not an xunit query filter such as /*/*/SomeTests/*.");
    }
}
