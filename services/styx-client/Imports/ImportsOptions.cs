namespace Cheshire.StyxClient.Imports;

/// <summary>
/// The "Imports" section as written (bound by ServiceDefaults' AddModuleSettings), checked at start and for every value
/// set at run time (Modules.SetConfig). Every key applies at the module's next start (<see cref="ImportsSettings"/> is
/// built once from them).
/// </summary>
public sealed class ImportsOptions
{
    public const string Section = "Imports";

    public double LookupSeconds { get; set; } = 10;
    public double MaxCacheSeconds { get; set; } = 300;
    public double NegativeCacheSeconds { get; set; } = 5;

    /// <summary>Empty: styx-client.sock in the data folder.</summary>
    public string Socket { get; set; } = "";

    /// <summary>Throws naming the key of the first bad value.</summary>
    public void Validate()
    {
        Check(ImportsSettings.LookupKey, LookupSeconds, max: 300);
        Check(ImportsSettings.MaxCacheKey, MaxCacheSeconds, max: 86400);
        Check(ImportsSettings.NegativeCacheKey, NegativeCacheSeconds, max: 3600);
        if (Socket.Length > 0 && System.Text.Encoding.UTF8.GetByteCount(Path.GetFullPath(Socket)) > 107)
            throw new InvalidOperationException($"{ImportsSettings.SocketKey} '{Socket}' is longer than a Unix socket path may be (107 bytes).");
    }

    private static void Check(string key, double seconds, double max)
    {
        if (!(seconds > 0 && seconds <= max))
            throw new InvalidOperationException($"{key} {seconds} must be more than 0 and at most {max} seconds.");
    }
}
