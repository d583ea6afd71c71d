using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Namespaces;

/// <summary>
/// Keeps qid paths unique across mounted trees (the Linux client uses qid.path as the inode number): the
/// 16-bit tag of the mount is XORed into bits 48..63. XOR is a bijection, so one tree's paths never collide
/// with each other; two trees collide only if their own paths use the top 16 bits. Type and version are kept.
/// </summary>
internal static class QidMixer
{
    public const int TagShift = 48;

    public static Qid Mix(Qid qid, ushort tag) => qid with { Path = qid.Path ^ ((ulong)tag << TagShift) };
}
