using Cheshire.Kademlia;

namespace Cheshire.GlobalNamespace;

/// <summary>One entry to publish: the child <see cref="Name"/> of <see cref="DirectoryPath"/>, of kind <see cref="Kind"/>.</summary>
public sealed record Publication(string DirectoryPath, string Name, EntryKind Kind)
{
    /// <summary>The DHT key the entry goes under in the network <paramref name="salt"/>.</summary>
    public NodeId Key(string salt) => DirectoryKey.For(DirectoryPath, salt);

    /// <summary>The path of the child itself.</summary>
    public string ChildPath => DirectoryPath == NamespacePath.Root ? "/" + Name : DirectoryPath + "/" + Name;
}
