namespace Cheshire.Bench.Reload;

public static class Wait
{
    /// <summary>Polls every 100 ms until <paramref name="attempt"/> gives a value (errors count as not yet).</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T?>> attempt, TimeSpan timeout, string what) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await attempt() is { } value) return value;
            }
            catch (Exception e) { last = e; }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{what}: not within {timeout.TotalSeconds:0} s", last);
    }
}
