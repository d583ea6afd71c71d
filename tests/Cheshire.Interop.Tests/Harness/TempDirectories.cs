namespace Cheshire.Interop.Tests.Harness;

/// <summary>Fresh temp folders, deleted with everything in them on dispose.</summary>
public sealed class TempDirectories : IDisposable
{
    private readonly List<string> _created = [];

    public string Create(string prefix)
    {
        var dir = Directory.CreateTempSubdirectory(prefix).FullName;
        _created.Add(dir);
        return dir;
    }

    public void Dispose()
    {
        foreach (var dir in _created)
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }
}
