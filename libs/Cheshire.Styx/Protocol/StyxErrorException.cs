namespace Cheshire.Styx.Protocol;

/// <summary>
/// A file operation failed. Thrown by file trees (the server turns it into Rerror/Rlerror)
/// and by the client when the server answered with an error.
/// </summary>
public sealed class StyxErrorException : Exception
{
    public StyxErrorException(Errno errno, string? message = null)
        : base(message ?? ErrnoText.Of(errno))
    {
        Errno = errno;
    }

    public Errno Errno { get; }
}
