using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Scripting;

/// <summary>Linux errno names a script may throw ("ENOENT: …" or { errno: "ENOENT" }), with their numbers.</summary>
internal static class ErrnoNames
{
    private static readonly Dictionary<string, uint> s_numbers = Build();

    private static Dictionary<string, uint> Build()
    {
        var numbers = new Dictionary<string, uint>(StringComparer.Ordinal)
        {
            ["ESRCH"] = 3, ["ENXIO"] = 6, ["E2BIG"] = 7, ["ENOEXEC"] = 8, ["ECHILD"] = 10, ["EWOULDBLOCK"] = 11,
            ["EFAULT"] = 14, ["ENOTBLK"] = 15, ["ENODEV"] = 19, ["ENFILE"] = 23, ["EMFILE"] = 24, ["ENOTTY"] = 25,
            ["ETXTBSY"] = 26, ["EMLINK"] = 31, ["EPIPE"] = 32, ["EDOM"] = 33, ["EDEADLK"] = 35, ["ENOLCK"] = 37,
            ["ENOMSG"] = 42, ["EOVERFLOW"] = 75, ["EILSEQ"] = 84, ["ENOTSUP"] = 95, ["EADDRINUSE"] = 98,
            ["ENETDOWN"] = 100, ["ENETUNREACH"] = 101, ["ECONNRESET"] = 104, ["ENOBUFS"] = 105, ["ENOTCONN"] = 107,
            ["ETIMEDOUT"] = 110, ["ECONNREFUSED"] = 111, ["EHOSTUNREACH"] = 113, ["EALREADY"] = 114,
            ["EINPROGRESS"] = 115, ["ESTALE"] = 116,
        };
        foreach (var errno in Enum.GetValues<Errno>())
        {
            if (errno != Errno.None) numbers[errno.ToString()] = (uint)errno;
        }
        return numbers;
    }

    public static bool TryParse(string name, out Errno errno)
    {
        bool found = s_numbers.TryGetValue(name, out uint number);
        errno = (Errno)number;
        return found;
    }
}
