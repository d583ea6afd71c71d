using Cheshire.Kademlia.Routing;
using Cheshire.Kademlia.Values;

namespace Cheshire.Kademlia.Persistence;

/// <summary>Where a node keeps good contacts and stored values across restarts. Calls may come from any thread.</summary>
public interface IKademliaPersistence : IDisposable
{
    IReadOnlyList<Contact> LoadContacts();

    /// <summary>Replaces the saved contacts.</summary>
    void SaveContacts(IReadOnlyList<Contact> contacts);

    IReadOnlyList<StoredValue> LoadValues();

    /// <summary>Inserts or replaces the value (key, value id).</summary>
    void SaveValue(StoredValue value);

    void RemoveValue(NodeId key, ulong valueId);

    /// <summary>Values this node publishes (puts again every RepublishInterval) until told to stop.</summary>
    IReadOnlyList<PublishedValue> LoadPublished();

    /// <summary>Inserts or replaces the published value (key, value id).</summary>
    void SavePublished(NodeId key, DhtValue value);

    void RemovePublished(NodeId key, ulong valueId);
}

/// <summary>A value this node keeps publishing under <paramref name="Key"/>.</summary>
public sealed record PublishedValue(NodeId Key, DhtValue Value);
