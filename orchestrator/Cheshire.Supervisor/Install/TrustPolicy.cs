using Grpc.Core;

namespace Cheshire.Supervisor.Install;

/// <summary>Whose packages the node installs: its own user's, and those of the uids in Cheshire:Supervisor:TrustedUids.</summary>
public sealed class TrustPolicy(InstallSettings settings, string nodeUid)
{
    public string NodeUid { get; } = nodeUid;

    public bool Trusts(string ownerUid) => ownerUid == NodeUid || settings.TrustedUids.Contains(ownerUid);

    /// <summary>Throws PERMISSION_DENIED naming the owner and the setting that would let it in.</summary>
    public void Check(string path, string ownerUid)
    {
        if (!Trusts(ownerUid))
            throw new InstallException(StatusCode.PermissionDenied,
                $"{path} is owned by {ownerUid}, whom this node does not trust: only the node's user {NodeUid} and the uids in " +
                $"{InstallSettings.TrustedUidsKey} ({(settings.TrustedUids.Count == 0 ? "none" : string.Join(", ", settings.TrustedUids.Order()))}) may install modules.");
    }
}
