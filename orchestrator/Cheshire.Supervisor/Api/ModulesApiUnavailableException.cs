namespace Cheshire.Supervisor.Api;

/// <summary>The Modules API cannot listen where it is told (e.g. the port is taken): the node cannot start.</summary>
public sealed class ModulesApiUnavailableException(string message, Exception inner) : Exception(message, inner);
