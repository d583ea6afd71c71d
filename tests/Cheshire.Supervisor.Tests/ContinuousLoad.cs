using System.Diagnostics;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// One user's operations run one after another, about every <see cref="Pace"/>, until stopped: each counts as failed
/// when it throws or takes longer than <see cref="OperationDeadline"/>. Failures are written to the test's output as
/// they happen.
/// </summary>
public sealed class ContinuousLoad
{
    public static readonly TimeSpan OperationDeadline = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(20);

    private readonly List<string> _failures = [];
    private readonly Action<string> _log;
    private int _operations;
    private long _longestTicks;

    private ContinuousLoad(string name, Action<string> log) => (Name, _log) = (name, log);

    public string Name { get; }
    public Task Run { get; private set; } = Task.CompletedTask;
    public int Operations => Volatile.Read(ref _operations);
    public TimeSpan Longest => TimeSpan.FromTicks(Interlocked.Read(ref _longestTicks));

    public IReadOnlyList<string> Failures
    {
        get { lock (_failures) return [.. _failures]; }
    }

    public override string ToString() =>
        $"{Name}: {Operations} operations, {Failures.Count} failed, longest {Longest.TotalMilliseconds:0} ms";

    public static ContinuousLoad Start(string name, Func<CancellationToken, Task> operation, Action<string> log, CancellationToken stop)
    {
        var load = new ContinuousLoad(name, log);
        load.Run = Task.Run(() => load.RunAsync(operation, stop), CancellationToken.None);
        return load;
    }

    private async Task RunAsync(Func<CancellationToken, Task> operation, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var watch = Stopwatch.StartNew();
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stop);
            bounded.CancelAfter(OperationDeadline);
            try
            {
                await operation(bounded.Token).WaitAsync(OperationDeadline + TimeSpan.FromSeconds(5), CancellationToken.None);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                var failure = $"{DateTime.UtcNow:HH:mm:ss.fff} after {watch.ElapsedMilliseconds} ms {e.GetType().Name}: {e.Message}";
                int count;
                lock (_failures)
                {
                    _failures.Add(failure);
                    count = _failures.Count;
                }
                if (count <= 5)
                    _log($"{Name} failed: {failure}");
            }
            var elapsed = watch.Elapsed;
            if (elapsed.Ticks > Interlocked.Read(ref _longestTicks))
                Interlocked.Exchange(ref _longestTicks, elapsed.Ticks);
            Interlocked.Increment(ref _operations);
            if (elapsed < Pace)
            {
                try { await Task.Delay(Pace - elapsed, stop); }
                catch (OperationCanceledException) { return; }
            }
        }
    }
}
