namespace Cheshire.Identity;

/// <summary>A key file that cannot be used: unreadable, not a key, or readable by others. The message starts with its path.</summary>
public sealed class KeyFileException(string message, Exception? inner = null) : IOException(message, inner);
