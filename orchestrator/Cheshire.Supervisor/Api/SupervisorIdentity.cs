using Cheshire.Identity;

namespace Cheshire.Supervisor.Api;

/// <summary>Who the supervisor's node is: its data folder's node key (made by the modules) and the network salt.</summary>
public sealed class SupervisorIdentity(string dataDirectory, string salt)
{
    private string? _nodeId;

    public string Salt { get; } = salt;

    /// <summary>The node id once a module has created the node key; empty before.</summary>
    public string NodeId()
    {
        if (_nodeId is not null)
            return _nodeId;
        var path = Path.Combine(dataDirectory, NodeIdentityStore.KeyFileName);
        if (!File.Exists(path))
            return "";
        using var identity = NodeIdentityStore.Load(path);
        return _nodeId = identity.NodeIdHex;
    }
}
