namespace Cheshire.Interop.Tests.Harness;

/// <summary>Where the build scripts leave what the interop tests use (guest image, pjdfstest).</summary>
public static class CheshireCache
{
    /// <summary>The folder named by <paramref name="variable"/>, else ${XDG_CACHE_HOME:-~/.cache}/cheshire/<paramref name="name"/>.</summary>
    public static string Folder(string variable, string name)
    {
        var configured = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(cache))
        {
            cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        }
        return Path.Combine(cache, "cheshire", name);
    }
}
