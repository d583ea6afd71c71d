using System.Net;
using Grpc.Core;
using Polly;
using Polly.CircuitBreaker;

namespace Cheshire.StyxRoot.Styx;

/// <summary>
/// A circuit breaker on the HTTP/2 calls to styx-client, inside the module client's retries so that each attempt
/// counts: a styx-client that is not running (connection refused, a proxy answering for it, a connection that stops
/// answering pings) opens it after <see cref="StyxClientBreakerOptions.MinimumCalls"/> failed attempts, and calls
/// then fail at once (the retries stop too) until the break is over. gRPC answers, errors included, are not failures.
/// </summary>
public static class StyxClientBreaker
{
    public const string HandlerName = "styx-client-breaker";

    public static void AddTo(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, StyxClientBreakerOptions options, ILogger logger) =>
        pipeline.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = options.FailureRatio,
            MinimumThroughput = options.MinimumCalls,
            SamplingDuration = options.SamplingDuration,
            BreakDuration = options.BreakDuration,
            ShouldHandle = args => ValueTask.FromResult(IsUnreachable(args.Outcome)),
            OnOpened = args =>
            {
                logger.LogWarning("styx-client is unavailable ({Reason}); the global namespace is not asked for {Seconds} s",
                    args.Outcome.Exception?.Message ?? $"HTTP {(int?)args.Outcome.Result?.StatusCode}", args.BreakDuration.TotalSeconds);
                return default;
            },
            OnClosed = _ =>
            {
                logger.LogInformation("styx-client answers again; the global namespace is back");
                return default;
            },
        });

    /// <summary>Whether a failed call to styx-client was refused by the open breaker (styx-client was not asked).</summary>
    public static bool Refused(RpcException e)
    {
        for (var inner = e.Status.DebugException ?? e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is BrokenCircuitException) return true;
        }
        return false;
    }

    private static bool IsUnreachable(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is HttpRequestException ||
        outcome.Result?.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;
}
