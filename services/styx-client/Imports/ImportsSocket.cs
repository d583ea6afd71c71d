using System.Net.Sockets;

namespace Cheshire.StyxClient.Imports;

/// <summary>styx-client's Unix socket for styx-root: a leftover file of a crashed run is replaced; only the node's user may connect.</summary>
public static class ImportsSocket
{
    public static void PrepareForBind(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!File.Exists(path)) return;
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            File.Delete(path);
            return;
        }
        throw new InvalidOperationException($"{ImportsSettings.SocketKey}: another process serves {path}; stop it or choose another socket.");
    }

    public static void Restrict(string path)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
