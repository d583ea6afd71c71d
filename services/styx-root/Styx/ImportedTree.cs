using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Namespaces;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Remote;

namespace Cheshire.StyxRoot.Styx;

/// <summary>
/// An import mounted from styx-client but not attached until used: a walk to its mount point and stat of it answer
/// from the global namespace's entry (a directory, its owner), so listing a directory of exports dials no node. The
/// first operation that needs the remote tree (a walk into it, open, create …) attaches it through styx-client's
/// socket, and styx-client links to the owner node then.
/// </summary>
public sealed class ImportedTree(IFileSystem tree, string path, string nodeId, RemoteLook look, DateTimeOffset since, ILogger logger)
    : IFileSystem, IAsyncDisposable
{
    /// <summary>The root's qid path, stable for the import's path (the remote root's own qid is not known before attaching).</summary>
    internal ulong QidPath { get; } = BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes("import:" + path))) & 0xFFFF_FFFF_FFFF;

    /// <summary>Whether the remote tree is attached now (a live connection to styx-client), so stat may ask it without dialling.</summary>
    internal bool IsAttached => tree is RemoteFileSystem { Dialect: not null };

    public ValueTask<INode> AttachAsync(AttachRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<INode>(new ImportRoot(this, request));

    internal async ValueTask<INode> AttachRemoteAsync(AttachRequest request, CancellationToken ct)
    {
        try
        {
            return await tree.AttachAsync(request, ct);
        }
        catch (StyxErrorException e)
        {
            logger.LogWarning("Importing {Path} from node {Node} failed: {Reason}", path, nodeId, e.Message);
            throw;
        }
    }

    internal NodeAttributes EntryAttributes(Qid qid, string name)
    {
        var time = look.Modified ?? since;
        return new NodeAttributes
        {
            Qid = qid, Name = name, Mode = UnixMode.Directory | RemoteLook.TreePermissions, UserName = look.Owner, GroupName = look.Owner,
            ModifiedBy = look.Owner, LinkCount = 2, AccessTime = time, ModifyTime = time, ChangeTime = time,
        };
    }

    internal string Name { get; } = path[(path.LastIndexOf('/') + 1)..];

    public async ValueTask DisposeAsync()
    {
        if (tree is IAsyncDisposable disposable) await disposable.DisposeAsync();
    }
}
