using System.Collections.Concurrent;
using Cheshire.Protos.Modules;
using Grpc.Core;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Configuration;

namespace Cheshire.ServiceDefaults.Dependencies;

/// <summary>
/// What the supervisor (the AppHost's Modules API, services:supervisor) says of a module, asked without retries and
/// remembered for <see cref="CacheFor"/>: tells a module that is restarting (ride it out) from one that was stopped or
/// has failed (fail at once). Null when there is no supervisor, it does not answer in time, or does not know the module.
/// </summary>
public sealed class SupervisorView(GrpcClientFactory clients, IConfiguration configuration, TimeProvider time)
{
    public const string Module = "supervisor";

    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan CacheFor = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<string, (DateTimeOffset At, ModuleStatus? Status)> _answers = new(StringComparer.Ordinal);

    public bool Configured => configuration.GetSection($"services:{Module}").Exists();

    public async Task<ModuleStatus?> GetAsync(string module, CancellationToken cancellationToken)
    {
        if (!Configured || module == Module)
            return null;
        var now = time.GetUtcNow();
        if (_answers.TryGetValue(module, out var known) && now - known.At < CacheFor)
            return known.Status;
        ModuleStatus? status;
        try
        {
            var client = clients.CreateModuleProbeClient<Protos.Modules.Modules.ModulesClient>(Module);
            status = await client.GetAsync(new ModuleRequest { Name = module }, deadline: (now + Deadline).UtcDateTime,
                cancellationToken: cancellationToken);
        }
        catch (RpcException) when (!cancellationToken.IsCancellationRequested)
        {
            status = null;
        }
        _answers[module] = (time.GetUtcNow(), status);
        return status;
    }
}
