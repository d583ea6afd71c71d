namespace Cheshire.Identity;

/// <summary>
/// Loads the node key from a data folder, creating it on first start (mode 0600). Several modules of one node
/// start at once; creation is atomic, so whoever loses the race reads the winner's key.
/// </summary>
public static class NodeIdentityStore
{
    public const string KeyFileName = "node.key";

    public static NodeIdentity LoadOrCreate(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        var path = Path.Combine(dataDirectory, KeyFileName);
        return NodeIdentity.FromSeed(KeyFile.Node.LoadOrCreate(path, NewSeed));
    }

    public static NodeIdentity Load(string path) => NodeIdentity.FromSeed(KeyFile.Node.Load(path));

    private static byte[] NewSeed()
    {
        using var fresh = NodeIdentity.Generate();
        return fresh.ExportSeed();
    }
}
