namespace Cheshire.Interop.Tests.Harness;

/// <summary>
/// A 9P server the guest mounts with 9P2000.L on /mnt/TAG for the POSIX suite, which then runs in a
/// fresh folder under /mnt/TAG + <see cref="SubDirectory"/>.
/// </summary>
public sealed record PosixTarget(string Tag, int Port, string ExtraMountOptions = "", string SubDirectory = "")
{
    public const int MessageSize = 524288;

    /// <summary>diod exporting a directory: the kernel needs uname=root and the directory as aname.</summary>
    public static PosixTarget Diod(string tag, DiodServer diod) => new(tag, diod.Port, $",uname=root,aname={diod.ExportDir}");

    /// <summary>styx-root's namespace, in its writable in-memory /tmp (mount options as the styx-root kernel tests).</summary>
    public static PosixTarget StyxRootTmp(string tag, int port) => new(tag, port, SubDirectory: "/tmp");

    /// <summary>styx-root's namespace, in the export styx-provider delegates to it at /home/export (ProviderNodeHost).</summary>
    public static PosixTarget StyxRootExport(string tag, int port) => new(tag, port, SubDirectory: "/home/export");

    /// <summary>A server whose attach root is the tree under test (default mount options).</summary>
    public static PosixTarget Root(string tag, int port) => new(tag, port);

    public string MountPoint => "/mnt/" + Tag;

    public string MountCommand =>
        $"mount -t 9p -o trans=tcp,port={Port},version=9p2000.L,msize={MessageSize}{ExtraMountOptions} {V9fsGuest.GuestServerAddress} {MountPoint}";
}
