using Cheshire.Styx.Client;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;
using Grpc.Core;

namespace Cheshire.Supervisor.Install;

/// <summary>
/// Copies a module package (a folder with module.json) from the node's namespace into a local folder over one 9P
/// connection: regular files and folders only (a symlink, device or socket is refused), names that stay inside the
/// package (no "..", no "/", no hidden bin/obj output), at most <see cref="InstallSettings.MaxFiles"/> files and
/// <see cref="InstallSettings.MaxPackageBytes"/> bytes in all.
/// </summary>
public sealed class PackageFetcher(InstallSettings settings)
{
    /// <summary>Build output in a package is not copied: it is rebuilt here.</summary>
    private static readonly string[] Skipped = ["bin", "obj"];

    public async Task<long> CopyAsync(StyxFs fs, string path, string target, CancellationToken ct)
    {
        var total = 0L;
        var files = 0;
        Directory.CreateDirectory(target);
        await CopyDirectoryAsync(path, target, "");
        return total;

        async Task CopyDirectoryAsync(string from, string to, string relative)
        {
            foreach (var name in await fs.ListAsync(from, ct))
            {
                var shown = relative.Length == 0 ? name : $"{relative}/{name}";
                if (name.Length == 0 || name.Contains('/') || name.Contains('\0') || name is "." or "..")
                    throw Refused(path, $"the entry '{shown}' is not a plain file name");
                if (Skipped.Contains(name) || name.StartsWith('.'))
                    continue;
                var mode = await ModeAsync(fs, $"{from}/{name}", ct);
                var child = Path.Combine(to, name);
                switch (mode & UnixMode.TypeMask)
                {
                    case UnixMode.Directory:
                        Directory.CreateDirectory(child);
                        await CopyDirectoryAsync($"{from}/{name}", child, shown);
                        break;
                    case UnixMode.Regular:
                        if (++files > settings.MaxFiles)
                            throw Refused(path, $"it has more than {settings.MaxFiles} files ({InstallSettings.MaxFilesKey})");
                        var data = await fs.ReadAsync($"{from}/{name}", ct);
                        total += data.Length;
                        if (total > settings.MaxPackageBytes)
                            throw Refused(path, $"it is larger than {settings.MaxPackageBytes >> 20} MiB ({InstallSettings.MaxPackageMegabytesKey})");
                        await File.WriteAllBytesAsync(child, data, ct);
                        break;
                    case UnixMode.Symlink:
                        throw Refused(path, $"'{shown}' is a symbolic link; a package holds only files and folders");
                    default:
                        throw Refused(path, $"'{shown}' is not a regular file or folder");
                }
            }
        }
    }

    /// <summary>The Unix mode of a path (Tgetattr); the 9P2000.L dialect styx-root speaks.</summary>
    public static async Task<uint> ModeAsync(StyxFs fs, string path, CancellationToken ct)
    {
        var fid = await fs.WalkAsync(path, ct);
        try
        {
            return (await fs.Client.GetattrAsync(fid, GetattrMask.Mode, ct)).Mode;
        }
        finally
        {
            await fs.Client.ClunkAsync(fid, CancellationToken.None);
        }
    }

    private static InstallException Refused(string path, string why) =>
        new(StatusCode.InvalidArgument, $"the package at {path} is refused: {why}.");
}
