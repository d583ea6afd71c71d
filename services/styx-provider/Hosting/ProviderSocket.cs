using System.Net.Sockets;

namespace Cheshire.StyxProvider.Hosting;

/// <summary>The provider's Unix socket: a stale file from a crashed run is removed; a live one means another provider.</summary>
public static class ProviderSocket
{
    public static void PrepareForBind(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!File.Exists(path)) return;
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new InvalidOperationException($"{ProviderSettings.SocketKey}: another process serves {path}; stop it or choose another socket.");
            }
            catch (SocketException)
            {
                // nobody listens: a leftover of a provider that did not shut down cleanly
            }
        }
        File.Delete(path);
    }

    /// <summary>Only the node's own user may connect.</summary>
    public static void Restrict(string path)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
