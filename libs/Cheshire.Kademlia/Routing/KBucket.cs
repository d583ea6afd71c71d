namespace Cheshire.Kademlia.Routing;

/// <summary>
/// Up to k contacts ordered from least to most recently seen (LRU at index 0), plus a replacement
/// cache of up to k contacts seen while the bucket was full (most recent last).
/// Not thread-safe: <see cref="RoutingTable"/> locks around it.
/// </summary>
internal sealed class KBucket(int capacity)
{
    internal sealed class Entry(Contact contact, DateTimeOffset seen)
    {
        public Contact Contact = contact;
        public DateTimeOffset LastSeen = seen;
        public DateTimeOffset LastPinged;
        public int Failures;
    }

    public List<Entry> Entries { get; } = new(capacity);
    public List<Contact> Replacements { get; } = new();
    public DateTimeOffset LastChanged { get; set; }
    public int Capacity => capacity;
    public bool IsFull => Entries.Count >= capacity;

    public int IndexOf(NodeId id)
    {
        for (var i = 0; i < Entries.Count; i++)
            if (Entries[i].Contact.Id == id) return i;
        return -1;
    }

    public void Touch(int index, DateTimeOffset now, Contact contact)
    {
        var entry = Entries[index];
        // A contact with a bad record may have moved; a good one keeps its endpoint (no hijacking).
        if (entry.Failures > 0) entry.Contact = contact;
        entry.LastSeen = now;
        entry.Failures = 0;
        Entries.RemoveAt(index);
        Entries.Add(entry);
        LastChanged = now;
    }

    public void AddReplacement(Contact contact)
    {
        var existing = Replacements.FindIndex(c => c.Id == contact.Id);
        if (existing >= 0) Replacements.RemoveAt(existing);
        else if (Replacements.Count >= capacity) Replacements.RemoveAt(0);
        Replacements.Add(contact);
    }

    /// <summary>Removes the entry and fills its slot with the most recent replacement, if any.</summary>
    public void RemoveAt(int index, DateTimeOffset now)
    {
        Entries.RemoveAt(index);
        if (Replacements.Count > 0)
        {
            var promoted = Replacements[^1];
            Replacements.RemoveAt(Replacements.Count - 1);
            Entries.Add(new Entry(promoted, now));
        }
        LastChanged = now;
    }
}
