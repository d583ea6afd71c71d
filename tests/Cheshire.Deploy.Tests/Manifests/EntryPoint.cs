using System.Text.RegularExpressions;

namespace Cheshire.Deploy.Tests.Manifests;

/// <summary>What the images' entry point (deploy/image/entrypoint.sh) reads by default.</summary>
public static partial class EntryPoint
{
    private static readonly string Text = File.ReadAllText(Path.Combine(Kustomize.DeployDirectory, "image", "entrypoint.sh"));

    /// <summary>Where the node's key files are read from: /run/secrets/cheshire.</summary>
    public static string SecretDirectory { get; } =
        Path.GetDirectoryName(NodeKeyDefault().Match(Text) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("entrypoint.sh names no node key file"))!;

    /// <summary>The key files it copies: node.key and user.key.</summary>
    public static IReadOnlyList<string> KeyFiles { get; } =
        [.. KeyDefaults().Matches(Text).Select(m => Path.GetFileName(m.Groups[1].Value))];

    /// <summary>The data folder when Cheshire__DataDir is not set.</summary>
    public static string DataDirectory { get; } = DataDefault().Match(Text).Groups[1].Value;

    [GeneratedRegex(@"CHESHIRE_NODE_KEY_FILE:-([^}]+)}")]
    private static partial Regex NodeKeyDefault();

    [GeneratedRegex(@"CHESHIRE_(?:NODE|USER)_KEY_FILE:-([^}]+)}")]
    private static partial Regex KeyDefaults();

    [GeneratedRegex(@"Cheshire__DataDir:-([^}]+)}")]
    private static partial Regex DataDefault();
}
