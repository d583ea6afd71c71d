namespace Cheshire.Modules;

/// <summary>
/// How modules find the supervisor's Modules API: under the service-discovery name "supervisor", as they find each
/// other (the AppHost sets services__supervisor__grpc__0 to its loopback address).
/// </summary>
public static class SupervisorAddress
{
    public const string ServiceName = "supervisor";
    public const string EndpointName = "grpc";
    public const string EnvironmentVariable = $"services__{ServiceName}__{EndpointName}__0";
}
