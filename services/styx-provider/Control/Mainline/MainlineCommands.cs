using System.Globalization;
using System.Text;
using Cheshire.Protos.Mainline;
using Cheshire.Styx.Protocol;
using Google.Protobuf;
using MainlineClient = Cheshire.Protos.Mainline.Mainline.MainlineClient;

namespace Cheshire.StyxProvider.Control.Mainline;

/// <summary>The commands of /mainline/ctl.</summary>
public sealed class MainlineCommands(Func<MainlineClient> client)
{
    public const string Module = "mainline";

    private const string AnnounceUsage = "announce INFOHASH PORT|implied";
    private const string PutUsage = "put [format=string|bencode] VALUE";
    private const string MutableUsage = "putmutable [salt=S] [seq=N] [cas=N] [format=string|bencode] VALUE";

    public static readonly string Help = string.Join('\n', AnnounceUsage, PutUsage, MutableUsage) + "\n";

    public Task<string> ExecuteAsync(string text, CancellationToken ct)
    {
        var line = new CommandLine(Module, text);
        return line.Verb switch
        {
            "announce" => AnnounceAsync(line, ct),
            "put" => PutAsync(line, mutable: false, ct),
            "putmutable" => PutAsync(line, mutable: true, ct),
            _ => throw new StyxErrorException(Errno.EINVAL, $"{Module}: unknown command '{line.Verb}'; commands: announce, put, putmutable"),
        };
    }

    private async Task<string> AnnounceAsync(CommandLine line, CancellationToken ct)
    {
        var request = new AnnounceRequest { Infohash = MainlineIds.Infohash(line.Word(AnnounceUsage)) };
        var port = line.Word(AnnounceUsage);
        line.End(AnnounceUsage);
        if (port == "implied") request.ImpliedPort = true;
        else if (uint.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 65535) request.Port = number;
        else throw line.Error($"port '{port}' is not 1..65535 or 'implied'");
        var reply = await ModuleCalls.RunAsync(Module, async () =>
            await client().AnnounceAsync(request, deadline: ModuleCalls.Deadline(ModuleCalls.OperationDeadline), cancellationToken: ct), ct);
        return MainlineText.Announce(reply);
    }

    private async Task<string> PutAsync(CommandLine line, bool mutable, CancellationToken ct)
    {
        var usage = mutable ? MutableUsage : PutUsage;
        var options = mutable ? line.Options("salt", "seq", "cas", "format") : line.Options("format");
        var value = Encoding.UTF8.GetBytes(line.Rest(usage));
        var request = new PutItemRequest { Mutable = mutable };
        request.Value = options.GetValueOrDefault("format", "string") switch
        {
            "string" => ByteString.CopyFrom(Bencode.String(value)),
            "bencode" => ByteString.CopyFrom(value),
            var other => throw line.Error($"format={other}: give format=string (VALUE is stored as a bencoded string) or format=bencode"),
        };
        if (options.TryGetValue("salt", out var salt)) request.Salt = ByteString.CopyFromUtf8(salt);
        if (options.ContainsKey("seq")) request.Seq = line.Number(options, "seq", 0, long.MaxValue);
        if (options.ContainsKey("cas")) request.Cas = line.Number(options, "cas", 0, long.MaxValue);
        var reply = await ModuleCalls.RunAsync(Module, async () =>
            await client().PutItemAsync(request, deadline: ModuleCalls.Deadline(ModuleCalls.OperationDeadline), cancellationToken: ct), ct);
        return MainlineText.Put(reply, mutable);
    }
}
