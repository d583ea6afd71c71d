namespace Cheshire.StyxProvider.Control;

/// <summary>Deadlines of calls to the modules, and the wrapper that turns their failures into 9P errors.</summary>
public static class ModuleCalls
{
    /// <summary>
    /// Reads of state the module holds (node, stats, routing): answered at once by a running module, and after its
    /// restart by a restarting one (the module client retries meanwhile), so a restart is a slow read, not an error.
    /// </summary>
    public static readonly TimeSpan ReadDeadline = TimeSpan.FromSeconds(13);

    /// <summary>Network operations (lookups, puts, announces, bootstraps), which ask other nodes.</summary>
    public static readonly TimeSpan OperationDeadline = TimeSpan.FromSeconds(30);

    public static DateTime Deadline(TimeSpan after) => DateTime.UtcNow + after;

    /// <summary>Runs a call; anything but the 9P request's own cancellation becomes a <see cref="Cheshire.Styx.Protocol.StyxErrorException"/>.</summary>
    public static async Task<T> RunAsync<T>(string module, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            if (cancellationToken.IsCancellationRequested) throw new OperationCanceledException(cancellationToken);
            throw ModuleErrors.From(module, e);
        }
    }
}
