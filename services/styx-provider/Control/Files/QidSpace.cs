using System.Security.Cryptography;
using System.Text;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxProvider.Control.Files;

/// <summary>
/// Stable, unique qid paths for one control tree. Bits 48..63 stay zero (a namespace XORs its mount tag there);
/// bits 44..47 hold the tree, 40..43 the kind of file (0 for the fixed files, one kind per directory of
/// generated names), 0..39 the fixed file's number or the first 40 bits of the SHA-1 of the name.
/// </summary>
public sealed class QidSpace
{
    private const int TreeShift = 44, KindShift = 40;
    private const ulong ItemMask = (1UL << KindShift) - 1;

    private readonly ulong _tree;
    private long _next;

    public QidSpace(int tree)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tree);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tree, 15);
        _tree = (ulong)tree << TreeShift;
    }

    /// <summary>The next fixed directory's qid: the same on every start, as the tree is built in the same order.</summary>
    public Qid Directory() => new(QidType.Directory, 0, Next());

    /// <summary>The next fixed file's qid.</summary>
    public Qid File() => new(QidType.File, 0, Next());

    /// <summary>The qid of a generated file <paramref name="name"/> under a directory of the given <paramref name="kind"/>.</summary>
    public Qid File(int kind, string name) => new(QidType.File, 0, ForName(kind, name));

    private ulong Next() => _tree | (ulong)Interlocked.Increment(ref _next);

        private ulong ForName(int kind, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kind);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(kind, 15);
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(Encoding.UTF8.GetBytes(name), hash);
        ulong item = 0;
        for (var i = 0; i < 5; i++) item = (item << 8) | hash[i];
        return _tree | ((ulong)kind << KindShift) | (item & ItemMask);
    }
}
