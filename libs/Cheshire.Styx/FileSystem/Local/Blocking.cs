namespace Cheshire.Styx.FileSystem.Local;

/// <summary>
/// Runs a file system call that may block (disk I/O, an uncached lookup, a FUSE or network mount below the export) on
/// the thread pool. The export is called on whatever thread read the request, which with inline I/O is a socket
/// engine's event thread shared by many connections: only calls the kernel answers from its caches without waiting
/// (<see cref="ConfinedRoot.TryOpenCached"/>, RWF_NOWAIT reads) stay on it.
/// </summary>
internal static class Blocking
{
    public static ValueTask<T> Run<T>(Func<T> call, CancellationToken cancellationToken) => new(Task.Run(call, cancellationToken));

    public static ValueTask Run(Action call, CancellationToken cancellationToken) => new(Task.Run(call, cancellationToken));
}
