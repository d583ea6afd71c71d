using Cheshire.Modules;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Cheshire.ServiceDefaults.Config;

public static class ModuleSettingsExtensions
{
    /// <summary>
    /// The settings pattern of every module: <typeparamref name="TSettings"/> bound to <paramref name="section"/>,
    /// checked by <paramref name="validate"/> (which throws naming the key, as the settings classes do) when the module
    /// starts, and again for every value set at run time (ModuleConfig.Set, Modules.SetConfig), which saves only what
    /// passes. <paramref name="liveKeys"/> are the keys the module reads through IOptionsMonitor each time it uses them:
    /// a change of one applies at once; any other key at the module's next start, and the reply says so.
    /// </summary>
    public static OptionsBuilder<TSettings> AddModuleSettings<TSettings>(this IHostApplicationBuilder builder, string section,
        Action<TSettings>? validate = null, params string[] liveKeys) where TSettings : class, new()
    {
        if (validate is not null)
            builder.Services.AddSingleton<IValidateOptions<TSettings>>(new SettingsValidator<TSettings>(validate));
        builder.Services.AddSingleton(SettingsSection.For<TSettings>(section, liveKeys));
        return builder.Services.AddOptions<TSettings>().BindConfiguration(section).ValidateOnStart();
    }

    /// <summary>
    /// Loads the module's dynamic configuration (<see cref="ConfigOverlay"/>) above every other source and serves
    /// ModuleConfig (mapped by MapDefaultEndpoints). Called by AddCheshireModule before the module reads its settings,
    /// so a value set at run time is there from the next start on.
    /// </summary>
    internal static void AddDynamicConfiguration(this IHostApplicationBuilder builder, ModuleDescriptor descriptor, string dataDirectory)
    {
        var overlay = ConfigOverlay.Create(dataDirectory, descriptor.Name, builder.Configuration);
        builder.Configuration.Add(overlay.Source);
        builder.Services.AddSingleton(overlay);
        builder.Services.AddSingleton<DynamicConfiguration>();
        builder.Services.AddGrpc();
    }
}
