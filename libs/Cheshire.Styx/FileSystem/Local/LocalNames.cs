using System.Text;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Local;

/// <summary>Names and relative paths below the export root: "" is the root, "a/b" a node two levels down.</summary>
internal static class LocalNames
{
    /// <summary>Refuses anything but one plain name: no "", ".", "..", '/' or NUL.</summary>
    public static string Check(string name)
    {
        if (name.Length == 0 || name == "." || name == ".." || name.Contains('/') || name.Contains('\0'))
            throw new StyxErrorException(Errno.EINVAL, $"invalid file name '{name}'");
        if (Encoding.UTF8.GetByteCount(name) > 255) throw new StyxErrorException(Errno.ENAMETOOLONG);
        return name;
    }

    public static string Join(string directory, string name) => directory.Length == 0 ? name : directory + "/" + name;

    public static string Parent(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }

    public static string Name(string path) => path[(path.LastIndexOf('/') + 1)..];
}
