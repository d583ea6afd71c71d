namespace Cheshire.Identity;

/// <summary>
/// Loads the node key from a data folder, creating it on first start. Several modules of one node
/// start at once, so creation is a write to a temporary file and an atomic rename that never
/// overwrites: whoever loses the race reads the winner's key.
/// </summary>
public static class NodeIdentityStore
{
    public const string KeyFileName = "node.key";
    private const string Header = "cheshire-ed25519-seed-v1";

    public static NodeIdentity LoadOrCreate(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, KeyFileName);

        if (!File.Exists(path))
            TryCreate(path);
        return Load(path);
    }

    public static NodeIdentity Load(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length < 2 || lines[0] != Header)
            throw new InvalidDataException($"{path} is not a Cheshire node key (expected a first line '{Header}').");
        byte[] seed;
        try
        {
            seed = Convert.FromHexString(lines[1].Trim());
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"{path}: the key line is not hexadecimal.");
        }
        if (seed.Length != 32)
            throw new InvalidDataException($"{path}: the key is {seed.Length} bytes, expected 32.");
        return NodeIdentity.FromSeed(seed);
    }

    private static void TryCreate(string path)
    {
        using var fresh = NodeIdentity.Generate();
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.WriteLine(Header);
            writer.WriteLine(Convert.ToHexStringLower(fresh.ExportSeed()));
        }
        try
        {
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp); // another module of this node created it first
        }
    }
}
