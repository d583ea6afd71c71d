namespace Cheshire.Deploy.Tests.Containers;

/// <summary>Files of the test host that containers read as uid 10001.</summary>
public static class HostFiles
{
    /// <summary>Makes a file, or a folder and everything in it, readable by every user (folders searchable).</summary>
    public static void MakeReadable(string path)
    {
        if (OperatingSystem.IsWindows()) return;
        const UnixFileMode file = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        const UnixFileMode folder = file | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if (File.Exists(path))
        {
            File.SetUnixFileMode(path, file);
            return;
        }
        File.SetUnixFileMode(path, folder);
        foreach (var entry in Directory.EnumerateFileSystemEntries(path, "*", SearchOption.AllDirectories))
            File.SetUnixFileMode(entry, Directory.Exists(entry) ? folder : file);
    }
}
