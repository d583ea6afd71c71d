namespace Cheshire.StyxProvider.Config;

/// <summary>An exports file (or an API request) that cannot be used; the message names the file, line and key.</summary>
public sealed class ExportsFileException(string message, Exception? inner = null) : Exception(message, inner);
