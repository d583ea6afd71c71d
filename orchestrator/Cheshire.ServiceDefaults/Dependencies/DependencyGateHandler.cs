namespace Cheshire.ServiceDefaults.Dependencies;

/// <summary>Each attempt of a call (inside the client's retries) first asks the <see cref="DependencyGate"/>.</summary>
public sealed class DependencyGateHandler(string module, DependencyGate gate) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await gate.ThrowIfDownAsync(module, cancellationToken);
        return await base.SendAsync(request, cancellationToken);
    }
}
