using System.Text;

namespace Cheshire.Interop.Tests.Harness;

/// <summary>
/// Writes a cpio "newc" archive, the format the kernel unpacks into its initramfs. Archives can be
/// appended to another initramfs (each starting on a 4-byte boundary); later files win.
/// </summary>
public static class NewcArchive
{
    public sealed record Entry(string Path, byte[] Data, int Mode);

    public static byte[] Build(IEnumerable<Entry> entries)
    {
        using var ms = new MemoryStream();
        uint ino = 1;
        foreach (var e in entries)
        {
            WriteRecord(ms, ino++, (uint)e.Mode, e.Path.TrimStart('/'), e.Data);
        }
        WriteRecord(ms, 0, 0, "TRAILER!!!", []);
        return ms.ToArray();
    }

    public static Entry File(string path, string text, int permissions = 0b111_101_101) =>
        new(path, Encoding.UTF8.GetBytes(text), 0x8000 | permissions);

    public static Entry File(string path, byte[] data, int permissions = 0b110_100_100) =>
        new(path, data, 0x8000 | permissions);

    private static void WriteRecord(MemoryStream ms, uint ino, uint mode, string name, byte[] data)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var header = new StringBuilder("070701");
        foreach (var field in new uint[]
                 {
                     ino, mode, 0 /* uid */, 0 /* gid */, mode == 0 ? 0u : 1u /* nlink */, 0 /* mtime */,
                     (uint)data.Length, 0, 0, 0, 0, (uint)nameBytes.Length + 1, 0 /* check */,
                 })
        {
            header.Append(field.ToString("x8"));
        }
        ms.Write(Encoding.ASCII.GetBytes(header.ToString()));
        ms.Write(nameBytes);
        ms.WriteByte(0);
        Pad(ms);
        ms.Write(data);
        Pad(ms);
    }

    private static void Pad(MemoryStream ms)
    {
        while (ms.Length % 4 != 0)
        {
            ms.WriteByte(0);
        }
    }
}
