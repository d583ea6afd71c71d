using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Cheshire.Styx.FileSystem.Local;

/// <summary>User and group names of numeric ids (getpwuid / getgrgid, cached); the number as text when unknown.</summary>
internal static class OsNames
{
    private static readonly ConcurrentDictionary<uint, string> Users = new();
    private static readonly ConcurrentDictionary<uint, string> Groups = new();
    private static readonly Lock Gate = new(); // getpwuid/getgrgid return static storage

    public static string User(uint uid) => Users.GetOrAdd(uid, id => Lookup(LibC.getpwuid, id));

    public static string Group(uint gid) => Groups.GetOrAdd(gid, id => Lookup(LibC.getgrgid, id));

    /// <summary>The gid of a group name (or of a number written as text); null if there is no such group.</summary>
    public static uint? GroupId(string name)
    {
        if (uint.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var gid))
            return gid;
        lock (Gate)
        {
            var entry = LibC.getgrnam(name);
            // struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; ... }
            return entry == IntPtr.Zero ? null : (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size);
        }
    }

    private static string Lookup(Func<uint, IntPtr> call, uint id)
    {
        lock (Gate)
        {
            var entry = call(id);
            // pw_name and gr_name are the first field of struct passwd / struct group.
            var name = entry == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(entry));
            return string.IsNullOrEmpty(name) ? id.ToString(System.Globalization.CultureInfo.InvariantCulture) : name;
        }
    }
}
