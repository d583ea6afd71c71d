using System.Runtime.InteropServices;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Local;

/// <summary>A short-lived file descriptor, closed on dispose.</summary>
internal readonly struct Fd(int value) : IDisposable
{
    public int Value { get; } = value;

    public void Dispose()
    {
        if (Value >= 0) LibC.close(Value);
    }

    /// <summary>The errno of the failed call just made, as the exception the server turns into Rlerror.</summary>
    public static StyxErrorException LastError() => new((Errno)Marshal.GetLastPInvokeError());

    public static Errno LastErrno => (Errno)Marshal.GetLastPInvokeError();

    public static void Check(int result)
    {
        if (result < 0) throw LastError();
    }

    public static Fd Checked(int fd) => fd >= 0 ? new Fd(fd) : throw LastError();
}
