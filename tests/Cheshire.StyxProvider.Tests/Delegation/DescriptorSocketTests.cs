using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Cheshire.Protos.Namespace;
using Cheshire.Testing;
using Grpc.Core;

namespace Cheshire.StyxProvider.Tests.Delegation;

/// <summary>
/// The provider's descriptor socket answers bad requests, unknown names, trees that are not exports and other users with
/// a readable error and no descriptor; styx-root reports a refused or garbled hand-over as a failed mount.
/// </summary>
public sealed class DescriptorSocketTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("cheshire-fdsock-");
    private ProviderNode? _node;

    private ProviderNode Node => _node!;
    private string FdSocket => Path.Combine(Node.Provider.DataDirectory, "styx-provider.fd.sock");

    public async ValueTask InitializeAsync()
    {
        _node = await ProviderNode.StartAsync($$"""{ "/e": { "server": "export", "root": {{JsonSerializer.Serialize(_folder.FullName)}} } }""");
        await Eventually.TrueAsync(async () => (await Node.Namespace.ListMountsAsync(new ListMountsRequest(), cancellationToken: Ct)).Mounts
            .Any(m => m.Path == "/e"), ProviderNode.Bound, "/e mounted", Ct);
    }

    /// <summary>Sends <paramref name="request"/> as is and returns the "error" of the reply line.</summary>
    private async Task<string> ErrorForAsync(byte[] request)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(FdSocket), Ct);
        await socket.SendAsync(request, SocketFlags.None, Ct);
        using var reply = new MemoryStream();
        var buffer = new byte[8192];
        int count;
        while ((count = await socket.ReceiveAsync(buffer, SocketFlags.None, Ct)) > 0) reply.Write(buffer, 0, count);
        var line = Encoding.UTF8.GetString(reply.ToArray());
        Assert.EndsWith("\n", line);
        using var json = JsonDocument.Parse(line);
        return json.RootElement.GetProperty("error").GetString()!;
    }

    [Fact]
    public async Task BadRequestsUnknownNamesAndOtherTreesGetAClearError()
    {
        Assert.Equal("no server at /nothing.", await ErrorForAsync("/nothing\n"u8.ToArray()));
        Assert.Equal($"/dht is 'control dht', not an export: mount it over 9P at unix!{Path.Combine(Node.Provider.DataDirectory, "styx-provider.sock")}.",
            await ErrorForAsync("/dht\n"u8.ToArray()));
        Assert.Equal("bad request: 'etc/passwd' is not an attach name (an absolute path such as /home/music).", await ErrorForAsync("etc/passwd\n"u8.ToArray()));
        Assert.Equal("bad request: no line ends within 4096 bytes.", await ErrorForAsync(Encoding.ASCII.GetBytes(new string('x', 5000))));
        Assert.Equal("bad request: the line is not UTF-8.", await ErrorForAsync([0xFF, 0xFE, (byte)'\n']));
        Assert.Equal("bad request: more than one line was sent.", await ErrorForAsync("/e\n/e\n"u8.ToArray()));
        Assert.Contains("Refused an export descriptor: no server at /nothing.", Node.Provider.Output);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task AnotherUserGetsNoDescriptor()
    {
        if (Environment.UserName != "root" || !File.Exists("/usr/bin/setpriv") || !File.Exists("/usr/bin/python3"))
            Assert.Skip("needs root, setpriv and python3 to connect as another user");
        // Let uid 65534 reach the socket at all (it is 0600 in a private folder): the uid check must stop it.
        File.SetUnixFileMode(FdSocket, (UnixFileMode)0x1B6);
        var temp = Path.TrimEndingDirectorySeparator(Path.GetTempPath());
        if ((File.GetUnixFileMode(temp) & UnixFileMode.OtherExecute) == 0 || !Node.Provider.DataDirectory.StartsWith(temp + "/", StringComparison.Ordinal))
            Assert.Skip($"the provider's data folder is not in a temp folder open to other users ({temp})");
        for (var dir = new DirectoryInfo(Node.Provider.DataDirectory); dir is not null && dir.FullName != temp; dir = dir.Parent)
            File.SetUnixFileMode(dir.FullName, File.GetUnixFileMode(dir.FullName) | UnixFileMode.OtherExecute);
        const string script = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX)
            s.connect(sys.argv[1])
            s.sendall(b"/e\n")
            data, ancillary, flags, _ = s.recvmsg(4096, socket.CMSG_SPACE(16))
            print("descriptors", len(ancillary))
            print(data.decode(), end="")
            """;
        var info = new ProcessStartInfo("/usr/bin/setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", script, FdSocket })
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync(Ct);
        var errors = await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.True(process.ExitCode == 0, errors);
        var lines = output.Split('\n');
        Assert.Equal("descriptors 0", lines[0]);
        using var json = JsonDocument.Parse(lines[1]);
        Assert.Equal("uid 65534 may not take exports; only this node's user (uid 0) may.", json.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task StyxRootReportsARefusedOrGarbledHandOver()
    {
        var unknown = await Assert.ThrowsAsync<RpcException>(() => Node.Namespace.MountAsync(new MountRequest
        {
            Path = "/nothing",
            Delegated = new DelegatedSource { Socket = FdSocket, Aname = "/nothing" },
        }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, unknown.StatusCode);
        Assert.Equal($"cannot mount delegated unix!{FdSocket} /nothing: unix!{FdSocket} refused /nothing: no server at /nothing.", unknown.Status.Detail);

        var fake = Path.Combine(_folder.FullName, "fake.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(fake));
        listener.Listen(1);
        var serving = Task.Run(async () =>
        {
            using var taker = await listener.AcceptAsync(Ct);
            await taker.ReceiveAsync(new byte[100], SocketFlags.None, Ct);
            await taker.SendAsync("HTTP/1.1 200 OK\n"u8.ToArray(), SocketFlags.None, Ct);
        }, Ct);
        var garbled = await Assert.ThrowsAsync<RpcException>(() => Node.Namespace.MountAsync(new MountRequest
        {
            Path = "/fake",
            Delegated = new DelegatedSource { Socket = fake, Aname = "/e" },
        }, cancellationToken: Ct).ResponseAsync);
        await serving;
        Assert.Equal(StatusCode.FailedPrecondition, garbled.StatusCode);
        Assert.Equal($"cannot mount delegated unix!{fake} /e: unix!{fake} answered something other than a grant or an error: 'HTTP/1.1 200 OK'.", garbled.Status.Detail);

        var relative = await Assert.ThrowsAsync<RpcException>(() => Node.Namespace.MountAsync(new MountRequest
        {
            Path = "/rel",
            Delegated = new DelegatedSource { Socket = "styx-provider.fd.sock", Aname = "/e" },
        }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, relative.StatusCode);
        Assert.Equal("delegated socket 'styx-provider.fd.sock' is not an absolute path.", relative.Status.Detail);
        Assert.DoesNotContain((await Node.Namespace.ListMountsAsync(new ListMountsRequest(), cancellationToken: Ct)).Mounts,
            m => m.Path is "/nothing" or "/fake" or "/rel");
    }

    public async ValueTask DisposeAsync()
    {
        if (_node is not null) await _node.DisposeAsync();
        _folder.Delete(recursive: true);
    }
}
