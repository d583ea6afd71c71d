using Cheshire.ServiceDefaults;

namespace Cheshire.StyxClient.Extensions;

public static class RelayIoExtensions
{
    public const string InlineIoKey = "StyxClient:InlineIo";

    /// <summary>
    /// styx-client only passes 9P frames on and never blocks a thread on a request (attach checks and resolving are
    /// asynchronous), so by default it serves on the sockets' own thread: the thread-pool hand-offs it saves were most
    /// of a relayed message's cost (bench/RESULTS.md).
    /// </summary>
    public static WebApplicationBuilder AddRelayIo(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue(InlineIoKey, true)) builder.UseInlineIo();
        return builder;
    }
}
