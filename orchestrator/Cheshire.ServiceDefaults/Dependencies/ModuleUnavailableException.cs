using System.Net.Http;

namespace Cheshire.ServiceDefaults.Dependencies;

/// <summary>
/// A call to a module that is known down (stopped, failed, never reached, or gone for longer than a restart takes) was
/// not attempted: "dht unavailable: not running: the supervisor reports it stopped (…)". An
/// <see cref="HttpRequestException"/> over an <see cref="IOException"/>, so a gRPC client reports it as UNAVAILABLE (as
/// for a refused connection); never retried.
/// </summary>
public sealed class ModuleUnavailableException(string module, string reason)
    : HttpRequestException(HttpRequestError.ConnectionError, $"{module} unavailable: {reason}", new IOException($"{module} is known down"))
{
    public string Module { get; } = module;

    /// <summary>Why, without the module's name: "not running: never reached (…)".</summary>
    public string Reason { get; } = reason;
}
