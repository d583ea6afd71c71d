using System.Buffers;

namespace Cheshire.Styx.Messages;

/// <summary>A payload in a pooled array (Twrite/Rread/Rreaddir data), returned by <see cref="Return"/>.</summary>
internal sealed class PooledData
{
    private byte[]? _array;

    private PooledData(byte[] array) => _array = array;

    /// <summary>The rented array (at least the requested length); empty once returned.</summary>
    public byte[] Array => _array ?? [];

    public static PooledData Rent(int length) => new(ArrayPool<byte>.Shared.Rent(Math.Max(1, length)));

    public static ReadOnlyMemory<byte> Copy(ReadOnlySpan<byte> source, out PooledData? owner)
    {
        if (source.IsEmpty)
        {
            owner = null;
            return ReadOnlyMemory<byte>.Empty;
        }
        owner = Rent(source.Length);
        source.CopyTo(owner.Array);
        return new ReadOnlyMemory<byte>(owner.Array, 0, source.Length);
    }

    public void Return()
    {
        var array = Interlocked.Exchange(ref _array, null);
        if (array is not null) ArrayPool<byte>.Shared.Return(array);
    }
}
