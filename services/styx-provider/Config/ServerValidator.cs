using Cheshire.GlobalNamespace;
using Cheshire.Identity;

namespace Cheshire.StyxProvider.Config;

/// <summary>
/// Checks server definitions, from the exports file or the Provider API, the same way: every key known and
/// meaningful for the kind, paths canonical and not taken by the node's own trees, the served thing present.
/// "~" in root and script is <paramref name="homeDirectory"/>; relative paths are relative to <paramref name="baseDirectory"/>.
/// Every server is owned by the node's user, <paramref name="nodeUid"/>: a "uid" left out means that user, and any
/// other uid is refused.
/// </summary>
public sealed class ServerValidator(string baseDirectory, string homeDirectory, IReadOnlySet<string> reservedPaths, string nodeUid)
{
    private static readonly Dictionary<string, string[]> KeysOf = new(StringComparer.Ordinal)
    {
        [ServerKinds.Export] = ["server", "uid", "root", "readOnly", "allow"],
        [ServerKinds.Proxy] = ["server", "uid", "address", "aname", "uname", "allow"],
        [ServerKinds.Script] = ["server", "uid", "script", "allow"],
    };

    public string BaseDirectory => baseDirectory;

    /// <summary>Expands "~" and makes a relative path absolute.</summary>
    public string ResolvePath(string path)
    {
        if (path == "~") return homeDirectory;
        if (path.StartsWith("~/", StringComparison.Ordinal)) path = System.IO.Path.Combine(homeDirectory, path[2..]);
        return System.IO.Path.GetFullPath(path, baseDirectory);
    }

    public ServerDefinition Validate(RawEntry entry, Location at)
    {
        CheckPath(at);
        var server = String(entry, "server", at) ?? throw at.Error(null,
            $"key \"server\" is missing; it names the kind of server: {string.Join(", ", ServerKinds.All)}.");
        if (!KeysOf.TryGetValue(server, out var keys))
            throw at.Error("server", $"unknown server kind '{server}'; expected {string.Join(", ", ServerKinds.All)}.");
        foreach (var key in entry.Values.Keys)
        {
            if (!keys.Contains(key))
            {
                var known = KeysOf.Values.SelectMany(k => k).ToHashSet();
                throw at.Error(key, known.Contains(key)
                    ? $"does not apply to a '{server}' server (its keys: {string.Join(", ", keys)})."
                    : $"unknown key (a '{server}' server takes {string.Join(", ", keys)}).");
            }
        }

        var definition = new ServerDefinition
        {
            Path = at.Path,
            Server = server,
            Uid = Uid(entry, at) ?? nodeUid,
            UidWritten = entry.Values.TryGetValue("uid", out var written) && written is not null,
            Root = String(entry, "root", at),
            ReadOnly = Bool(entry, "readOnly", at),
            Address = String(entry, "address", at),
            Aname = String(entry, "aname", at),
            Uname = String(entry, "uname", at),
            Script = String(entry, "script", at),
            Allow = Allow(entry, at),
            Line = at.Line,
        };
        switch (server)
        {
            case ServerKinds.Export:
                var root = definition.Root ?? throw at.Error(null, "key \"root\" is missing: the directory to export.");
                if (!Directory.Exists(ResolvePath(root)))
                    throw at.Error("root", $"'{root}' ({ResolvePath(root)}) is not a directory.");
                break;
            case ServerKinds.Proxy:
                var address = definition.Address ?? throw at.Error(null, "key \"address\" is missing: host:port or unix:/path of the 9P server.");
                if (!ProxyAddress.TryParse(address, out _))
                    throw at.Error("address", $"'{address}' is neither host:port nor unix:/absolute/path.");
                break;
            case ServerKinds.Script:
                var script = definition.Script ?? throw at.Error(null, "key \"script\" is missing: the .js file to run.");
                if (!script.EndsWith(".js", StringComparison.Ordinal))
                    throw at.Error("script", $"'{script}' is not a .js file.");
                if (!File.Exists(ResolvePath(script)))
                    throw at.Error("script", $"'{script}' ({ResolvePath(script)}) does not exist.");
                break;
        }
        return definition;
    }

    private void CheckPath(Location at)
    {
        var path = at.Path;
        if (path.Length == 0 || path[0] != '/')
            throw at.Error(null, "the path must be absolute, e.g. \"/music\".");
        if (path == "/")
            throw at.Error(null, "\"/\" is the namespace itself; export at a path below it.");
        var names = path[1..].Split('/');
        if (names.Any(n => n is "" or "." or "..") || path.Contains('\0'))
            throw at.Error(null, "the path must be canonical: no empty names, '.', '..' or trailing '/'.");
        if (names.Any(n => System.Text.Encoding.UTF8.GetByteCount(n) > 255))
            throw at.Error(null, "a name in the path is longer than 255 bytes.");
        if (names.Select(NamespacePath.NameProblem).FirstOrDefault(p => p is not null) is { } unpublishable)
            throw at.Error(null, $"the path cannot be published in the global namespace: {unpublishable}");
        if (reservedPaths.Any(r => path == r || path.StartsWith(r + "/", StringComparison.Ordinal)))
            throw at.Error(null, $"the path is taken by the node's own trees ({string.Join(", ", reservedPaths.Order())}).");
    }

    private string? Uid(RawEntry entry, Location at)
    {
        var uid = String(entry, "uid", at);
        if (uid is null) return null;
        if (!UserIdentity.IsUid(uid))
            throw at.Error("uid", $"'{uid}' is not a user id (40 hex digits, SHA1 of the user's public key).");
        uid = uid.ToLowerInvariant();
        if (uid != nodeUid)
            throw at.Error("uid", $"'{uid}' is not this node's user {nodeUid}: a node serves only its own user's servers. " +
                "Leave \"uid\" out (it then means the node's user), or give this node that user's key (see the README).");
        return uid;
    }

    private static IReadOnlyList<string> Allow(RawEntry entry, Location at)
    {
        if (!entry.Values.TryGetValue("allow", out var value) || value is null) return [];
        if (value is not List<string> list) throw at.Error("allow", "expected a list of user ids or \"*\".");
        foreach (var item in list)
        {
            if (item != "*" && !UserIdentity.IsUid(item))
                throw at.Error("allow", $"'{item}' is neither a user id (40 hex digits) nor \"*\".");
        }
        if (list.Contains("*") && list.Count > 1)
            throw at.Error("allow", "\"*\" already lets every node of the network attach: write [\"*\"] alone, or list user ids.");
        return [.. list.Select(u => u.ToLowerInvariant()).Distinct()];
    }

    private static string? String(RawEntry entry, string key, Location at) =>
        !entry.Values.TryGetValue(key, out var value) || value is null ? null
        : value as string ?? throw at.Error(key, "expected a string.");

    private static bool Bool(RawEntry entry, string key, Location at) =>
        entry.Values.TryGetValue(key, out var value) && value is not null &&
        (value as bool? ?? throw at.Error(key, "expected true or false."));
}
