using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Cheshire.ServiceDefaults;

public static class InlineIo
{
    /// <summary>
    /// Runs a module's connection code on the thread that saw the socket become ready, instead of handing each read and
    /// each completed send to the thread pool: for a 9P relay every request then costs no thread switches of its own,
    /// which on a small machine is most of its latency (bench/RESULTS.md). Only for modules whose request handling
    /// never blocks a thread (anything slow must leave the thread first): with inline completions the socket engine runs one
    /// event thread per core and deals new sockets out to them in turn, so one blocking call stalls every connection dealt
    /// to its thread (tests/Cheshire.StyxProvider.Tests/InlineIoSafetyTests shows an export's blocked read does not).
    /// Call before the host is built: the socket engine reads DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS once, at its
    /// first socket operation.
    /// </summary>
    public static WebApplicationBuilder UseInlineIo(this WebApplicationBuilder builder)
    {
        Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
        builder.WebHost.UseSockets(sockets =>
        {
            sockets.UnsafePreferInlineScheduling = true;
            // Read straight into a buffer: the default zero-byte read first costs one more system call per message.
            sockets.WaitForDataBeforeAllocatingBuffer = false;
        });
        return builder;
    }
}
