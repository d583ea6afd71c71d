namespace Cheshire.Styx.FileSystem;

/// <summary>A served file tree: Tattach picks a root node by user and aname.</summary>
public interface IFileSystem
{
    /// <summary>Returns the root of the tree named by <see cref="AttachRequest.Aname"/>; throw StyxErrorException to refuse.</summary>
    ValueTask<INode> AttachAsync(AttachRequest request, CancellationToken cancellationToken);
}

/// <summary>Who attaches to what: uname/aname strings and the .u/.L numeric uid (0xFFFFFFFF when absent).</summary>
public sealed record AttachRequest(string Uname, string Aname, uint NUname);
