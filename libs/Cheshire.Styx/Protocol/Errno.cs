namespace Cheshire.Styx.Protocol;

/// <summary>Linux errno values, as carried by 9P2000.u Rerror and 9P2000.L Rlerror.</summary>
public enum Errno : uint
{
    None = 0,
    EPERM = 1,
    ENOENT = 2,
    EINTR = 4,
    EIO = 5,
    EBADF = 9,
    EAGAIN = 11,
    ENOMEM = 12,
    EACCES = 13,
    EBUSY = 16,
    EEXIST = 17,
    EXDEV = 18,
    ENOTDIR = 20,
    EISDIR = 21,
    EINVAL = 22,
    EFBIG = 27,
    ENOSPC = 28,
    ESPIPE = 29,
    EROFS = 30,
    ERANGE = 34,
    ENAMETOOLONG = 36,
    ENOSYS = 38,
    ENOTEMPTY = 39,
    ELOOP = 40,
    ENODATA = 61,
    ETIME = 62,
    EPROTO = 71,
    EBADMSG = 74,
    EOPNOTSUPP = 95,
    ESTALE = 116,
    EDQUOT = 122,
    ECANCELED = 125,
}

/// <summary>Error strings for plain 9P2000 Rerror, spelled so the Linux client maps them back.</summary>
public static class ErrnoText
{
    public static string Of(Errno errno) => errno switch
    {
        Errno.EPERM => "Operation not permitted",
        Errno.ENOENT => "No such file or directory",
        Errno.EINTR => "Interrupted system call",
        Errno.EIO => "Input/output error",
        Errno.EBADF => "Bad file descriptor",
        Errno.EAGAIN => "Resource temporarily unavailable",
        Errno.ENOMEM => "Cannot allocate memory",
        Errno.EACCES => "Permission denied",
        Errno.EBUSY => "Device or resource busy",
        Errno.EEXIST => "File exists",
        Errno.EXDEV => "Invalid cross-device link",
        Errno.ENOTDIR => "Not a directory",
        Errno.EISDIR => "Is a directory",
        Errno.EINVAL => "Invalid argument",
        Errno.EFBIG => "File too large",
        Errno.ENOSPC => "No space left on device",
        Errno.ESPIPE => "Illegal seek",
        Errno.EROFS => "Read-only file system",
        Errno.ERANGE => "Numerical result out of range",
        Errno.ENAMETOOLONG => "File name too long",
        Errno.ENOSYS => "Function not implemented",
        Errno.ENOTEMPTY => "Directory not empty",
        Errno.ELOOP => "Too many levels of symbolic links",
        Errno.ENODATA => "No data available",
        Errno.ETIME => "Timer expired",
        Errno.EPROTO => "Protocol error",
        Errno.EBADMSG => "Bad message",
        Errno.EOPNOTSUPP => "Operation not supported",
        Errno.ESTALE => "Stale file handle",
        Errno.EDQUOT => "Disk quota exceeded",
        Errno.ECANCELED => "Operation canceled",
        _ => "Input/output error",
    };

    /// <summary>Best-effort reverse mapping for a client that only received a string.</summary>
    public static Errno Parse(string text)
    {
        foreach (var value in Enum.GetValues<Errno>())
        {
            if (value != Errno.None && string.Equals(Of(value), text, StringComparison.OrdinalIgnoreCase))
                return value;
        }
        return Errno.EIO;
    }
}
