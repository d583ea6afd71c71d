using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Cheshire.Identity;

/// <summary>
/// A key file: a header line naming what it holds, then the 32-byte Ed25519 seed in hex. Created with mode 0600 by a
/// write to a temporary file and a rename that never overwrites, so modules starting together agree on one key; read
/// only when nobody but its owner may read it, as ssh insists for its private keys.
/// </summary>
internal sealed record KeyFile(string Header, string Kind)
{
    private const int MaxLength = 4096;
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static readonly KeyFile Node = new("cheshire-ed25519-seed-v1", "node key");
    public static readonly KeyFile User = new("cheshire-ed25519-user-seed-v1", "user key");
    private static readonly KeyFile[] All = [Node, User];

    public byte[] LoadOrCreate(string path, Func<byte[]> newSeed)
    {
        if (!File.Exists(path))
            TryCreate(path, newSeed);
        return Load(path);
    }

    public byte[] Load(string path)
    {
        string text;
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            CheckPrivate(path, handle);
            text = ReadText(path, handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not KeyFileException)
        {
            throw new KeyFileException($"{path}: cannot read the {Kind}: {e.Message}", e);
        }
        return Parse(path, text);
    }

    private void CheckPrivate(string path, SafeFileHandle handle)
    {
        if (OperatingSystem.IsWindows())
            return;
        var mode = File.GetUnixFileMode(handle);
        if ((mode & GroupOrOthers) != 0)
            throw new KeyFileException($"{path}: permissions {Octal(mode)} are too open: a {Kind} must be readable by its owner only. " +
                $"Run chmod 600 '{path}' (and make a new key if others may have read it).");
    }

    private string ReadText(string path, SafeFileHandle handle)
    {
        var length = RandomAccess.GetLength(handle);
        if (length > MaxLength)
            throw new KeyFileException($"{path}: {length} bytes is too large for a {Kind} (a header line and 64 hex digits).");
        var bytes = new byte[length];
        int read = 0;
        while (read < bytes.Length)
        {
            int n = RandomAccess.Read(handle, bytes.AsSpan(read), read);
            if (n == 0) break;
            read += n;
        }
        return Encoding.UTF8.GetString(bytes, 0, read);
    }

    private byte[] Parse(string path, string text)
    {
        var lines = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0)
            throw new KeyFileException($"{path}: the file is empty, not a {Kind}.");
        if (lines[0] != Header)
        {
            var other = All.FirstOrDefault(k => k.Header == lines[0]);
            throw new KeyFileException(other is not null
                ? $"{path} is a Cheshire {other.Kind}, not a {Kind}."
                : $"{path} is not a Cheshire {Kind} (expected a first line '{Header}').");
        }
        if (lines.Length < 2)
            throw new KeyFileException($"{path}: the key line (64 hex digits) is missing.");
        byte[] seed;
        try
        {
            seed = Convert.FromHexString(lines[1]);
        }
        catch (FormatException)
        {
            throw new KeyFileException($"{path}: the key line is not hexadecimal.");
        }
        if (seed.Length != Ed25519Identity.SeedLength)
            throw new KeyFileException($"{path}: the key is {seed.Length} bytes, expected {Ed25519Identity.SeedLength}.");
        return seed;
    }

    private void TryCreate(string path, Func<byte[]> newSeed)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = OwnerOnly;
        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(Encoding.ASCII.GetBytes($"{Header}\n{Convert.ToHexStringLower(newSeed())}\n"));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path) || Directory.Exists(path))
        {
            // another module of this node created it first; theirs is the key
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0');
}
