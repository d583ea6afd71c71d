using Cheshire.Protos.Namespace;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.FileSystem.Ram;

namespace Cheshire.StyxRoot.Styx;

/// <summary>What a Mount request asks to mount; opens the tree.</summary>
public abstract record MountSource
{
    public const long DefaultRamCapacity = 1L << 30;

    public abstract string Description { get; }

    public abstract ValueTask<IFileSystem> OpenAsync(CancellationToken cancellationToken);

    public static MountSource Ram(ulong capacityBytes) =>
        capacityBytes > long.MaxValue
            ? throw NamespaceApi.Invalid($"capacity {capacityBytes} is too large.")
            : new RamSource(capacityBytes == 0 ? DefaultRamCapacity : (long)capacityBytes);

    private sealed record RamSource(long Capacity) : MountSource
    {
        public override string Description => $"ram {Capacity}";

        public override ValueTask<IFileSystem> OpenAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult<IFileSystem>(new RamFileSystem(capacityBytes: Capacity));
    }
}

/// <summary>A mount source that could not be reached or attached.</summary>
public sealed class MountSourceException(string message, Exception? inner = null) : Exception(message, inner);
