using System.Globalization;
using System.Text;
using Cheshire.Protos.Dht;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using DhtClient = Cheshire.Protos.Dht.Dht.DhtClient;

namespace Cheshire.StyxProvider.Control.Dht;

/// <summary>The commands of /dht/ctl.</summary>
public sealed class DhtCommands(Func<DhtClient> client)
{
    public const string Module = "dht";

    private const string PutUsage = "put [ttl=D] [type=T] [id=HEX] KEY VALUE";
    private const string SignedUsage = "putsigned [ttl=D] [type=T] [id=HEX] [seq=N] KEY VALUE";
    private const string EncryptedUsage = "putencrypted [ttl=D] [type=T] [id=HEX] [seq=N] KEY RECIPIENT VALUE";
    private const string BootstrapUsage = "bootstrap HOST:PORT [HOST:PORT...]";

    public static readonly string Help = string.Join('\n', PutUsage, SignedUsage, EncryptedUsage, BootstrapUsage) + "\n";

    public Task<string> ExecuteAsync(string text, CancellationToken ct)
    {
        var line = new CommandLine(Module, text);
        return line.Verb switch
        {
            "put" => PutAsync(line, ValueKind.Plain, PutUsage, ct),
            "putsigned" => PutAsync(line, ValueKind.Signed, SignedUsage, ct),
            "putencrypted" => PutAsync(line, ValueKind.Encrypted, EncryptedUsage, ct),
            "bootstrap" => BootstrapAsync(line, ct),
            _ => throw new Cheshire.Styx.Protocol.StyxErrorException(Cheshire.Styx.Protocol.Errno.EINVAL,
                $"{Module}: unknown command '{line.Verb}'; commands: put, putsigned, putencrypted, bootstrap"),
        };
    }

    private async Task<string> PutAsync(CommandLine line, ValueKind kind, string usage, CancellationToken ct)
    {
        var options = kind == ValueKind.Plain ? line.Options("ttl", "type", "id") : line.Options("ttl", "type", "id", "seq");
        var request = new PutRequest { Key = DhtKeys.Parse(line.Word(usage)), Kind = kind };
        if (kind == ValueKind.Encrypted)
        {
            var recipient = line.Word(usage);
            request.RecipientKey = ByteString.CopyFrom(ControlText.ParseHex(recipient, 32)
                ?? throw line.Error($"recipient '{recipient}' is not a 32-byte X25519 public key in hex (64 digits)"));
        }
        request.Data = ByteString.CopyFrom(Encoding.UTF8.GetBytes(line.Rest(usage)));
        if (options.ContainsKey("ttl")) request.Ttl = Duration.FromTimeSpan(line.Duration(options, "ttl"));
        if (options.TryGetValue("type", out var type)) request.Type = type;
        if (options.TryGetValue("id", out var id))
            request.ValueId = ulong.TryParse(id, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var valueId) && valueId != 0
                ? valueId : throw line.Error($"id={id}: not a non-zero 64-bit number in hex");
        if (options.ContainsKey("seq")) request.Seq = (ulong)line.Number(options, "seq", 1, long.MaxValue);
        var reply = await ModuleCalls.RunAsync(Module, async () =>
            await client().PutAsync(request, deadline: ModuleCalls.Deadline(ModuleCalls.OperationDeadline), cancellationToken: ct), ct);
        return DhtText.Put(reply);
    }

    private async Task<string> BootstrapAsync(CommandLine line, CancellationToken ct)
    {
        var request = new BootstrapRequest { Endpoints = { line.Words(BootstrapUsage) } };
        var reply = await ModuleCalls.RunAsync(Module, async () =>
            await client().BootstrapAsync(request, deadline: ModuleCalls.Deadline(ModuleCalls.OperationDeadline), cancellationToken: ct), ct);
        return DhtText.Bootstrap(reply);
    }
}
