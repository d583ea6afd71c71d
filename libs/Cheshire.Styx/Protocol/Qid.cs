namespace Cheshire.Styx.Protocol;

/// <summary>The server's unique identity of a file: type[1] version[4] path[8].</summary>
public readonly record struct Qid(QidType Type, uint Version, ulong Path)
{
    public const int Size = 13;

    public bool IsDirectory => (Type & QidType.Directory) != 0;

    public override string ToString() => $"({Path:x} {Version} {Type})";
}

[Flags]
public enum QidType : byte
{
    File = 0x00,
    Link = 0x01,
    Symlink = 0x02,
    Temporary = 0x04,
    Auth = 0x08,
    Mount = 0x10,
    Exclusive = 0x20,
    Append = 0x40,
    Directory = 0x80,
}
