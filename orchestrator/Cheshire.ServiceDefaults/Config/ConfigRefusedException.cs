namespace Cheshire.ServiceDefaults.Config;

/// <summary>A key or value the module does not take; the message says which and why. Nothing was saved.</summary>
public sealed class ConfigRefusedException(string message) : Exception(message);
