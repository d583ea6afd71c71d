using Cheshire.ServiceDefaults;
using Cheshire.StyxRoot.Styx;
using Microsoft.AspNetCore.Connections;

namespace Cheshire.StyxRoot.Extensions;

public static class StyxRootExtensions
{
    /// <summary>The namespace, and its 9P listener on Styx:Endpoint (127.0.0.1:6666 by default).</summary>
    public static WebApplicationBuilder AddStyxRoot(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(StyxRootOptions.Section).Get<StyxRootOptions>() ?? new StyxRootOptions();
        var endpoint = options.Validate();

        builder.Services.Configure<StyxRootOptions>(builder.Configuration.GetSection(StyxRootOptions.Section));
        builder.Services.AddSingleton<NodeNamespace>();
        if (options.InlineIo) builder.UseInlineIo();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(endpoint, listen => listen.UseConnectionHandler<StyxConnectionHandler>()));
        return builder;
    }
}
