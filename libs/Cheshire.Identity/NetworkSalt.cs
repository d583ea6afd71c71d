namespace Cheshire.Identity;

/// <summary>
/// The network a node belongs to: nodes with the same salt share one namespace, and another salt on the same DHTs is a
/// disjoint namespace that sees nothing of it. It is part of every key the node publishes or looks up
/// (e.g. SHA1("cheshire:" + salt) on the Mainline DHT).
/// </summary>
public static class NetworkSalt
{
    public const string ConfigurationKey = "Cheshire:Salt";
    public const string Default = "cheshire";
    public const int MaxLength = 256;

    /// <summary>The configured salt, else <see cref="Default"/>; a salt that could not be typed back exactly is refused.</summary>
    public static string Resolve(string? configured)
    {
        if (string.IsNullOrEmpty(configured))
            return Default;
        if (configured.Length > MaxLength)
            throw new InvalidOperationException($"{ConfigurationKey} is {configured.Length} characters long; at most {MaxLength} are allowed.");
        if (configured.Any(char.IsControl))
            throw new InvalidOperationException($"{ConfigurationKey} contains a control character; use printable text.");
        if (configured.Trim() != configured)
            throw new InvalidOperationException(
                $"{ConfigurationKey} '{configured}' starts or ends with white space, which is easy to lose when typed again; remove it.");
        return configured;
    }
}
