namespace Cheshire.StyxProvider.Config;

/// <summary>Where a proxied 9P server listens: TCP host:port, or a Unix socket ("unix:/path").</summary>
public sealed record ProxyAddress(string? Host, int Port, string? SocketPath)
{
    public const string UnixPrefix = "unix:";

    public static bool TryParse(string text, out ProxyAddress address)
    {
        address = null!;
        if (text.StartsWith(UnixPrefix, StringComparison.Ordinal))
        {
            var path = text[UnixPrefix.Length..];
            if (!System.IO.Path.IsPathFullyQualified(path)) return false;
            address = new ProxyAddress(null, 0, path);
            return true;
        }
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), out var port) || port is < 1 or > 65535) return false;
        address = new ProxyAddress(text[..colon].Trim('[', ']'), port, null);
        return true;
    }

    public override string ToString() => SocketPath is not null ? $"unix!{SocketPath}" : $"tcp!{Host}!{Port}";
}
