using System.Diagnostics;

namespace Cheshire.Testing;

/// <summary>Polls a condition until it holds or a bound passes: tests wait for what they check, never for a fixed time.</summary>
public static class Eventually
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(100);

    /// <summary>Calls <paramref name="attempt"/> until it returns without throwing; after <paramref name="timeout"/> rethrows its last failure.</summary>
    public static async Task<T> SucceedsAsync<T>(Func<Task<T>> attempt, TimeSpan timeout, string what, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                if (clock.Elapsed > timeout)
                    throw new TimeoutException($"{what}: still failing after {timeout.TotalSeconds:0.#} s: {e.Message}", e);
            }
            await Task.Delay(Pause, ct);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> is true; fails after <paramref name="timeout"/> naming <paramref name="what"/>.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"{what}: not true after {timeout.TotalSeconds:0.#} s");
            await Task.Delay(Pause, ct);
        }
    }
}
