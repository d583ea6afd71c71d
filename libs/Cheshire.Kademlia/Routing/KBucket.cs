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

    /// <summary>Moves the entry to the tail (most recently seen); returns the contact it replaced when it moved.</summary>
    public Contact? Touch(int index, DateTimeOffset now, Contact contact, bool mayMove)
    {
        var entry = Entries[index];
        Contact? moved = null;
        // A contact with a bad record may have moved; a good one keeps its endpoint (no hijacking).
        if (entry.Failures > 0 && mayMove && !entry.Contact.EndPoint.Equals(contact.EndPoint))
        {
            moved = entry.Contact;
            entry.Contact = contact;
        }
        entry.LastSeen = now;
        entry.Failures = 0;
        Entries.RemoveAt(index);
        Entries.Add(entry);
        LastChanged = now;
        return moved;
    }

    public void AddReplacement(Contact contact)
    {
        // one replacement per id and per endpoint: the newest claim wins
        var existing = Replacements.FindIndex(c => c.Id == contact.Id || c.EndPoint.Equals(contact.EndPoint));
        if (existing >= 0) Replacements.RemoveAt(existing);
        else if (Replacements.Count >= capacity) Replacements.RemoveAt(0);
        Replacements.Add(contact);
    }
}
