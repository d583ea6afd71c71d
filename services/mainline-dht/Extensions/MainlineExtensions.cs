using Cheshire.Identity;
using Cheshire.MainlineDht.Node;
using Cheshire.ServiceDefaults.Config;

namespace Cheshire.MainlineDht.Extensions;

public static class MainlineExtensions
{
    /// <summary>The Mainline DHT node on Mainline:Endpoint, its snapshot/announce loop, the BEP 44 key and a health check.</summary>
    public static WebApplicationBuilder AddMainlineNode(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(MainlineSettings.Section).Get<MainlineSettings>() ?? new MainlineSettings();
        settings.Validate();
        builder.AddModuleSettings<MainlineSettings>(MainlineSettings.Section, s => s.Validate());
        var dataDirectory = DataDirectory.Resolve(builder.Configuration["Cheshire:DataDir"]);
        var salt = NetworkSalt.Resolve(builder.Configuration[NetworkSalt.ConfigurationKey]);

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(sp => new MainlineHost(settings, dataDirectory, salt, sp.GetRequiredService<ILogger<MainlineHost>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MainlineHost>());
        builder.Services.AddSingleton(sp => new Bep44Signer(sp.GetRequiredService<NodeIdentity>()));
        builder.Services.AddHealthChecks().AddCheck<MainlineHealthCheck>("mainline-udp");
        return builder;
    }
}
