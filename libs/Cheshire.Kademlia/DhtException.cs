using Cheshire.Kademlia.Wire;

namespace Cheshire.Kademlia;

/// <summary>A request was refused by this node or by the remote nodes; <see cref="Code"/> says why.</summary>
public sealed class DhtException(ErrorCode code, string message) : Exception(message)
{
    public ErrorCode Code { get; } = code;
}
