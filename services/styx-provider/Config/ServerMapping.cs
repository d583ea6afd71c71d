using Proto = Cheshire.Protos.Provider.ServerDefinition;

namespace Cheshire.StyxProvider.Config;

/// <summary>Between the Provider API's ServerDefinition and the exports file's entries. Empty strings are keys left out.</summary>
public static class ServerMapping
{
    public static RawEntry ToRawEntry(Proto server)
    {
        var entry = new RawEntry();
        Set(entry, "server", server.Server);
        Set(entry, "uid", server.Uid);
        Set(entry, "root", server.Root);
        if (server.ReadOnly) entry.Values["readOnly"] = true;
        Set(entry, "address", server.Address);
        Set(entry, "aname", server.Aname);
        Set(entry, "uname", server.Uname);
        Set(entry, "script", server.Script);
        if (server.Allow.Count > 0) entry.Values["allow"] = server.Allow.ToList();
        return entry;
    }

    public static Proto ToProto(ServerDefinition d)
    {
        var proto = new Proto
        {
            Path = d.Path, Server = d.Server, Uid = d.Uid, Root = d.Root ?? "", ReadOnly = d.ReadOnly,
            Address = d.Address ?? "", Aname = d.Aname ?? "", Uname = d.Uname ?? "", Script = d.Script ?? "",
        };
        proto.Allow.AddRange(d.Allow);
        return proto;
    }

    private static void Set(RawEntry entry, string key, string value)
    {
        if (value.Length > 0) entry.Values[key] = value;
    }
}
