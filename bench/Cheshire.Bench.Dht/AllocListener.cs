using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Cheshire.Bench.Dht;

internal sealed class AllocListener : EventListener
{
    public readonly ConcurrentDictionary<string, long> ByType = new();
    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
    }
    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is not "GCAllocationTick_V4" and not "GCAllocationTick_V3") return;
        var name = e.Payload![e.PayloadNames!.IndexOf("TypeName")] as string ?? "?";
        var amount = Convert.ToInt64(e.Payload![e.PayloadNames!.IndexOf("AllocationAmount64")]);
        ByType.AddOrUpdate(name, amount, (_, v) => v + amount);
    }
}
