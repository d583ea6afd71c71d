using Cheshire.Styx.FileSystem.Local;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Tests.Namespaces;

namespace Cheshire.Styx.Tests.Local;

/// <summary>
/// A temp folder with an exported directory and a sibling "outside" directory, the export served over loopback TCP.
/// Everything is deleted on dispose.
/// </summary>
internal sealed class LocalExport : IAsyncDisposable
{
    private readonly string _base;

    private LocalExport(string @base, LocalFileSystem fs)
    {
        _base = @base;
        FileSystem = fs;
        Server = new LoopbackServer(fs);
    }

    /// <summary>The exported directory (host path).</summary>
    public string Root => Path.Combine(_base, "export");

    /// <summary>A directory next to the export that nothing may reach.</summary>
    public string Outside => Path.Combine(_base, "outside");

    public LocalFileSystem FileSystem { get; }
    public LoopbackServer Server { get; }

    public static LocalExport Start(LocalOptions? options = null, bool useOpenat2 = true, Action<string>? prepareRoot = null)
    {
        string @base = Path.Combine(Path.GetTempPath(), "cheshire-local-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(@base, "export"));
        Directory.CreateDirectory(Path.Combine(@base, "outside"));
        prepareRoot?.Invoke(Path.Combine(@base, "export"));
        return new LocalExport(@base, new LocalFileSystem(Path.Combine(@base, "export"), options, useOpenat2));
    }

    public string HostPath(string relative) => Path.Combine(Root, relative);

    public async Task<NinePClient> ConnectAsync(string version = DialectNames.Linux, uint msize = 64 * 1024 + 24) =>
        await NinePClient.AttachAsync(await Server.ConnectAsync(version, msize), uname: "root");

    /// <summary>statx of a host path without following a final symlink.</summary>
    public static LibC.Statx HostStat(string path)
    {
        Assert.Equal(0, LibC.statx(LibC.AT_FDCWD, path, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var stat));
        return stat;
    }

    /// <summary>Every file below <see cref="Outside"/> with its content and mode, to show nothing changed.</summary>
    public string OutsideSnapshot() => string.Join("\n",
        Directory.EnumerateFileSystemEntries(Outside, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(path =>
        {
            var stat = HostStat(path);
            string content = File.Exists(path) ? File.ReadAllText(path) : "";
            return $"{Path.GetRelativePath(Outside, path)} {Convert.ToString(stat.Mode, 8)} {stat.Size} {stat.ModifyTime.Seconds}.{stat.ModifyTime.Nanoseconds} {stat.Uid}:{stat.Gid} {content}";
        }));

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await FileSystem.DisposeAsync();
        Directory.Delete(_base, recursive: true);
    }
}
