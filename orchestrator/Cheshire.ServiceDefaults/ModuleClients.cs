using System.Net;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Cheshire.ServiceDefaults;

/// <summary>
/// gRPC clients for calling other modules. A module that restarts is briefly unavailable: calls are
/// retried with backoff (Polly) on connection failures, per-attempt timeouts and gRPC UNAVAILABLE,
/// while the caller's own deadline bounds the whole call.
/// </summary>
public static class ModuleClients
{
    /// <summary>The Kestrel endpoint name every module serves gRPC (h2c) on.</summary>
    public const string GrpcEndpointName = "grpc";

    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The service-discovery address of a module's gRPC endpoint, e.g. http://_grpc.dht.</summary>
    public static Uri AddressOf(string module) => new($"http://_{GrpcEndpointName}.{module}");

    /// <summary>
    /// The gRPC client factory's name for a <typeparamref name="TClient"/> of <paramref name="module"/>: one name per
    /// module and client type, as the factory allows one type per name (a module calls another's health and API).
    /// </summary>
    public static string ClientName<TClient>(string module) => $"{module}:{typeof(TClient).FullName}";

    /// <summary>Registers a client of type <typeparamref name="TClient"/> for <paramref name="module"/>; get it with <see cref="CreateModuleClient{TClient}"/>.</summary>
    public static IHttpClientBuilder AddModuleClient<TClient>(this IServiceCollection services, string module)
        where TClient : class
    {
        var client = AddClient<TClient>(services, ClientName<TClient>(module), module);
        client.AddResilienceHandler("module-call", ConfigureUnaryCallPipeline);
        return client;
    }

    /// <summary>
    /// Registers a <typeparamref name="TClient"/> of <paramref name="module"/> that never retries, for probes such as a
    /// health check: it asks whether the module answers now, and retrying would only make the answer late (a check past
    /// its caller's deadline reports nothing at all). Get it with <see cref="CreateModuleProbeClient{TClient}"/>.
    /// </summary>
    public static IHttpClientBuilder AddModuleProbeClient<TClient>(this IServiceCollection services, string module)
        where TClient : class =>
        AddClient<TClient>(services, ProbeClientName<TClient>(module), module);

    /// <summary>The <typeparamref name="TClient"/> of <paramref name="module"/> registered with <see cref="AddModuleProbeClient{TClient}"/>.</summary>
    public static TClient CreateModuleProbeClient<TClient>(this GrpcClientFactory factory, string module) where TClient : class =>
        factory.CreateClient<TClient>(ProbeClientName<TClient>(module));

    private static string ProbeClientName<TClient>(string module) => ClientName<TClient>(module) + ":probe";

    /// <summary>
    /// Registers a <typeparamref name="TClient"/> of <paramref name="module"/> for server-streaming calls (a listen that
    /// waits for the next value): connection failures are retried as for <see cref="AddModuleClient{TClient}"/>, but there
    /// is no per-attempt timeout, as a stream's response headers come with its first message, which may be long in coming.
    /// The call's own deadline or cancellation bounds it. Get it with <see cref="CreateModuleStreamingClient{TClient}"/>.
    /// </summary>
    public static IHttpClientBuilder AddModuleStreamingClient<TClient>(this IServiceCollection services, string module)
        where TClient : class
    {
        var client = AddClient<TClient>(services, StreamingClientName<TClient>(module), module);
        client.AddResilienceHandler("module-stream", pipeline => pipeline.AddRetry(RetryOptions()));
        return client;
    }

    /// <summary>The <typeparamref name="TClient"/> of <paramref name="module"/> registered with <see cref="AddModuleStreamingClient{TClient}"/>.</summary>
    public static TClient CreateModuleStreamingClient<TClient>(this GrpcClientFactory factory, string module) where TClient : class =>
        factory.CreateClient<TClient>(StreamingClientName<TClient>(module));

    private static string StreamingClientName<TClient>(string module) => ClientName<TClient>(module) + ":streaming";

    private static IHttpClientBuilder AddClient<TClient>(IServiceCollection services, string name, string module) where TClient : class =>
        services
            .AddGrpcClient<TClient>(name, o => o.Address = AddressOf(module))
            .ConfigureChannel(c => c.HttpVersion = HttpVersion.Version20)
            .ConfigurePrimaryHttpMessageHandler(CreateHandler)
            .RemoveAllResilienceHandlers();

    /// <summary>The <typeparamref name="TClient"/> of <paramref name="module"/> registered with <see cref="AddModuleClient{TClient}"/>.</summary>
    public static TClient CreateModuleClient<TClient>(this GrpcClientFactory factory, string module) where TClient : class =>
        factory.CreateClient<TClient>(ClientName<TClient>(module));

    /// <summary>
    /// A module that restarts behind a proxy can leave an HTTP/2 connection that accepts requests and never
    /// answers. Pings with a short timeout find such a connection and drop it, so the retry dials anew. They are sent
    /// on idle connections too: a killed module behind Aspire's proxy leaves the proxy's side open, and calls with a
    /// deadline shorter than a ping's round (health checks) would otherwise meet the dead connection forever.
    /// </summary>
    private static SocketsHttpHandler CreateHandler() => new()
    {
        ConnectTimeout = AttemptTimeout,
        KeepAlivePingDelay = TimeSpan.FromSeconds(1),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(1),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
        EnableMultipleHttp2Connections = true,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    private static void ConfigureUnaryCallPipeline(ResiliencePipelineBuilder<HttpResponseMessage> pipeline)
    {
        pipeline.AddRetry(RetryOptions());
        pipeline.AddTimeout(AttemptTimeout);
    }

    /// <summary>
    /// Retries back off from 100 ms up to <see cref="MaxRetryDelay"/> and go on for about 12 s in all (with attempts that
    /// time out, longer): a restarting module is gone for a few seconds (stop, `dotnet run`, start), and its callers should
    /// wait that out rather than fail. The caller's deadline or cancellation ends them sooner.
    /// </summary>
    public const int MaxRetryAttempts = 14;

    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(1);

    private static HttpRetryStrategyOptions RetryOptions() => new()
    {
        MaxRetryAttempts = MaxRetryAttempts,
        Delay = TimeSpan.FromMilliseconds(100),
        MaxDelay = MaxRetryDelay,
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
    };

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome)
    {
        // a module known down (FailFastWhenDown) is not asked again
        if (outcome.Exception is Dependencies.ModuleUnavailableException)
            return false;
        if (HttpClientResiliencePredicates.IsTransient(outcome))
            return true;
        // A trailers-only gRPC answer carries its status in the headers; 14 is UNAVAILABLE.
        return outcome.Result is { } response &&
               response.Headers.TryGetValues("grpc-status", out var status) &&
               status.FirstOrDefault() == "14";
    }
}
