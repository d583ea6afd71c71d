using System.Diagnostics;

namespace Cheshire.Bench.Dht;

public sealed record Row(string Op, int Ops, int Ok, double Seconds, double CpuSeconds, long AllocatedBytes, double P50Ms, double P99Ms)
{
    public double OpsPerSecond => Ops / Seconds;
}

/// <summary>Runs a fixed number of operations with a fixed number in flight and times each.</summary>
public static class Driver
{
    public static async Task<Row> RunAsync(string name, int ops, int inFlight, Func<int, Task<bool>> operation)
    {
        var latencies = new double[ops];
        var ok = 0;
        var next = -1;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var collections = GC.CollectionCount(0);
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < ops)
            {
                var watch = Stopwatch.StartNew();
                bool success;
                try
                {
                    success = await operation(i);
                }
                catch (Exception)
                {
                    success = false;
                }
                latencies[i] = watch.Elapsed.TotalMilliseconds;
                if (success) Interlocked.Increment(ref ok);
            }
        }));
        total.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        if (Environment.GetEnvironmentVariable("BENCH_ALLOCS") is not null) Console.Error.WriteLine($"{name}: {GC.CollectionCount(0) - collections} gen0 collections");
        Array.Sort(latencies);
        return new Row(name, ops, ok, total.Elapsed.TotalSeconds, cpu.TotalSeconds, allocated, latencies[ops / 2], latencies[(int)(ops * 0.99) - 1]);
    }
}
