namespace Cheshire.Supervisor.Starting;

/// <summary>A module Ensure started (or waited for) was not healthy in time; the message says which and where it stands.</summary>
public sealed class ModuleStartTimeoutException(string message) : Exception(message);
