namespace Cheshire.Supervisor;

/// <summary>Aspire refused or failed a start or stop of a module; the message says which and why.</summary>
public sealed class ModuleCommandException(string message) : Exception(message);
