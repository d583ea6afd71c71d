using System.Net.Sockets;
using Cheshire.Styx.FileSystem.Local;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Tests.Namespaces;

namespace Cheshire.Styx.Tests.Local;

/// <summary>
/// An export handed to another process as a descriptor (<see cref="ExportDelegation"/>) over a real Unix socket: the
/// taker serves the same directory with the granted options, still confined; a descriptor that is not a directory is refused.
/// </summary>
public sealed class ExportDelegationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Listens on a socket in the export's temp folder and answers one taker with <paramref name="answer"/>.</summary>
    private static (string Path, Task Served) ServeOnce(LocalExport owner, Func<Socket, Task> answer)
    {
        var path = Path.Combine(Path.GetDirectoryName(owner.Root)!, "fd.sock");
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        return (path, Task.Run(async () =>
        {
            using (listener)
            {
                using var connection = await listener.AcceptAsync(Ct);
                await answer(connection);
            }
        }, Ct));
    }

    [Fact]
    public async Task A_handed_over_export_is_the_same_directory_confined_and_read_only_as_granted()
    {
        await using var owner = LocalExport.Start(new LocalOptions { ReadOnly = true });
        await File.WriteAllTextAsync(owner.HostPath("f"), "inside", Ct);
        await File.WriteAllTextAsync(Path.Combine(owner.Outside, "secret"), "SECRET", Ct);
        File.CreateSymbolicLink(owner.HostPath("out"), owner.Outside);
        string? refusal = "not answered";
        var (socket, served) = ServeOnce(owner, async c => refusal = await ExportDelegation.ServeAsync(c,
            aname => aname == "/e" ? ExportGrant.Grant(owner.FileSystem, "export e (read-only)") : ExportGrant.Refuse("no"), Ct));

        var taken = await ExportDelegation.RequestAsync(socket, "/e", Ct);
        await served;
        Assert.Null(refusal);
        await using var fs = taken.FileSystem;
        Assert.Equal("export e (read-only)", taken.Description);
        Assert.True(fs.Options.ReadOnly);

        await using var server = new LoopbackServer(fs);
        await using var c = await NinePClient.AttachAsync(await server.ConnectAsync(), uname: "root");
        Assert.Equal("inside", await c.ReadTextAsync("f"));
        Assert.Equal((await owner.FileSystem.AttachAsync(new Cheshire.Styx.FileSystem.AttachRequest("root", "", 0), Ct)).Qid, await c.QidAsync(""));
        await Assert.ThrowsAsync<StyxErrorException>(() => c.ReadTextAsync("out/secret"));
        Assert.Equal(Errno.EROFS, await NinePClient.ErrnoOf(() => c.WriteTextAsync("/f", "changed")));
        Assert.Equal("inside", await File.ReadAllTextAsync(owner.HostPath("f"), Ct));
    }

    [Fact]
    public async Task A_descriptor_that_is_not_a_directory_is_refused()
    {
        await using var owner = LocalExport.Start();
        await File.WriteAllTextAsync(owner.HostPath("plain"), "x", Ct);
        var (socket, served) = ServeOnce(owner, async c =>
        {
            await c.ReceiveAsync(new byte[64], SocketFlags.None, Ct);
            using var file = File.OpenHandle(owner.HostPath("plain"));
            UnixRights.Send(c, """{"description":"export plain","readOnly":false}"""u8.ToArray().Append((byte)'\n').ToArray(), file);
        });

        var refused = await Assert.ThrowsAsync<ExportDelegationException>(() => ExportDelegation.RequestAsync(socket, "/e", Ct));
        await served;
        Assert.Matches($"^unix!{System.Text.RegularExpressions.Regex.Escape(socket)} failed while handing over /e: cannot export descriptor [0-9]+: it is not a directory$", refused.Message);
    }
}
