using System.Net;
using Cheshire.Kademlia.Routing;
using Cheshire.Kademlia.Values;
using Cheshire.Kademlia.Wire;
using Microsoft.Data.Sqlite;

namespace Cheshire.Kademlia.Persistence;

/// <summary>SQLite file with three tables: contacts, values held (protobuf bytes with their expiry), values published.</summary>
public sealed class SqlitePersistence : IKademliaPersistence
{
    public const string DefaultFileName = "dht.sqlite";
    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();

    public SqlitePersistence(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            CREATE TABLE IF NOT EXISTS contacts (id BLOB PRIMARY KEY, ip BLOB NOT NULL, port INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS dht_values (key BLOB NOT NULL, value_id INTEGER NOT NULL, expires INTEGER NOT NULL, value BLOB NOT NULL,
                PRIMARY KEY (key, value_id));
            CREATE TABLE IF NOT EXISTS published (key BLOB NOT NULL, value_id INTEGER NOT NULL, value BLOB NOT NULL,
                PRIMARY KEY (key, value_id));
            """);
    }

    /// <summary>Opens <see cref="DefaultFileName"/> in a node's data folder.</summary>
    public static SqlitePersistence InDirectory(string dataDirectory) => new(Path.Combine(dataDirectory, DefaultFileName));

    public IReadOnlyList<Contact> LoadContacts()
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT id, ip, port FROM contacts";
            using var reader = command.ExecuteReader();
            var contacts = new List<Contact>();
            while (reader.Read())
            {
                var id = (byte[])reader[0];
                var ip = (byte[])reader[1];
                var port = reader.GetInt32(2);
                if (id.Length == NodeId.Length && ip.Length is 4 or 16 && port is > 0 and <= 65535)
                    contacts.Add(new Contact(new NodeId(id), new IPEndPoint(new IPAddress(ip), port)));
            }
            return contacts;
        }
    }

    public void SaveContacts(IReadOnlyList<Contact> contacts)
    {
        lock (_lock)
        {
            using var transaction = _connection.BeginTransaction();
            Execute("DELETE FROM contacts", transaction);
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT OR REPLACE INTO contacts (id, ip, port) VALUES ($id, $ip, $port)";
            var id = command.Parameters.Add("$id", SqliteType.Blob);
            var ip = command.Parameters.Add("$ip", SqliteType.Blob);
            var port = command.Parameters.Add("$port", SqliteType.Integer);
            foreach (var contact in contacts)
            {
                id.Value = contact.Id.ToArray();
                ip.Value = contact.EndPoint.Address.GetAddressBytes();
                port.Value = contact.EndPoint.Port;
                command.ExecuteNonQuery();
            }
            transaction.Commit();
        }
    }

    public IReadOnlyList<StoredValue> LoadValues()
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT key, expires, value FROM dht_values";
            using var reader = command.ExecuteReader();
            var values = new List<StoredValue>();
            while (reader.Read())
            {
                var key = (byte[])reader[0];
                if (key.Length != NodeId.Length) continue;
                if (TryParse((byte[])reader[2]) is not { } wire) continue;
                values.Add(new StoredValue(new NodeId(key), new DhtValue(wire), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1))));
            }
            return values;
        }
    }

    public void SaveValue(StoredValue value)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT OR REPLACE INTO dht_values (key, value_id, expires, value) VALUES ($key, $id, $expires, $value)";
            command.Parameters.AddWithValue("$key", value.Key.ToArray());
            command.Parameters.AddWithValue("$id", unchecked((long)value.Value.Id));
            command.Parameters.AddWithValue("$expires", value.Expires.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$value", Google.Protobuf.MessageExtensions.ToByteArray(value.Value.Wire));
            command.ExecuteNonQuery();
        }
    }

    public void RemoveValue(NodeId key, ulong valueId) => Delete("dht_values", key, valueId);

    public IReadOnlyList<PublishedValue> LoadPublished()
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT key, value FROM published";
            using var reader = command.ExecuteReader();
            var values = new List<PublishedValue>();
            while (reader.Read())
            {
                var key = (byte[])reader[0];
                if (key.Length == NodeId.Length && TryParse((byte[])reader[1]) is { } wire)
                    values.Add(new PublishedValue(new NodeId(key), new DhtValue(wire)));
            }
            return values;
        }
    }

    public void SavePublished(NodeId key, DhtValue value)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT OR REPLACE INTO published (key, value_id, value) VALUES ($key, $id, $value)";
            command.Parameters.AddWithValue("$key", key.ToArray());
            command.Parameters.AddWithValue("$id", unchecked((long)value.Id));
            command.Parameters.AddWithValue("$value", Google.Protobuf.MessageExtensions.ToByteArray(value.Wire));
            command.ExecuteNonQuery();
        }
    }

    public void RemovePublished(NodeId key, ulong valueId) => Delete("published", key, valueId);

    private void Delete(string table, NodeId key, ulong valueId)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = $"DELETE FROM {table} WHERE key = $key AND value_id = $id";
            command.Parameters.AddWithValue("$key", key.ToArray());
            command.Parameters.AddWithValue("$id", unchecked((long)valueId));
            command.ExecuteNonQuery();
        }
    }

    private static Value? TryParse(byte[] bytes)
    {
        try
        {
            return Value.Parser.ParseFrom(bytes);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private void Execute(string sql, SqliteTransaction? transaction = null)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        lock (_lock) _connection.Dispose();
    }
}
