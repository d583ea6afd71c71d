using Cheshire.Styx.FileSystem.Local;
using Cheshire.Styx.Remote;
using Cheshire.Testing;

namespace Cheshire.Styx.Tests.Remote.Reconnect;

/// <summary>
/// A real 9P server exporting a host directory that a test kills and starts again at the same address and directory:
/// the project's server (<see cref="StyxSocketServer"/> with a <see cref="LocalFileSystem"/>, on a Unix socket) or diod
/// (on a TCP port).
/// </summary>
internal abstract class RestartingServer : IAsyncDisposable
{
    public const string Styx = "styx";
    public const string Diod = "diod";

    public abstract string Directory { get; }
    public abstract Func<CancellationToken, ValueTask<Stream>> Dial { get; }
    public abstract string Aname { get; }
    public abstract RemoteOptions Options { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    public abstract Task KillAsync();
    public abstract Task StartAsync();

    public async Task RestartAsync()
    {
        await KillAsync();
        await StartAsync();
    }

    public abstract ValueTask DisposeAsync();

    public static async Task<RestartingServer> StartAsync(string kind) => kind switch
    {
        Styx => OfStyx(),
        Diod => new OfDiod(await DiodServer.StartAsync()),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "styx or diod"),
    };

    private static OfStyxServer OfStyx()
    {
        var folder = System.IO.Directory.CreateTempSubdirectory("cheshire-reconnect-").FullName;
        var export = System.IO.Directory.CreateDirectory(Path.Combine(folder, "export")).FullName;
        var server = new StyxSocketServer(() => new LocalFileSystem(export));
        server.Start();
        return new OfStyxServer(folder, export, server);
    }

    private sealed class OfStyxServer(string folder, string export, StyxSocketServer server) : RestartingServer
    {
        public override string Directory => export;
        public override Func<CancellationToken, ValueTask<Stream>> Dial { get; } = RemoteFileSystem.UnixDialer(server.SocketPath);
        public override string Aname => "";
        public override RemoteOptions Options { get; } = new() { ConnectTimeout = TimeSpan.FromSeconds(5) };
        public override Task KillAsync() => server.KillAsync();

        public override Task StartAsync()
        {
            server.Start();
            return Task.CompletedTask;
        }

        public override async ValueTask DisposeAsync()
        {
            await server.DisposeAsync();
            System.IO.Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class OfDiod(DiodServer first) : RestartingServer
    {
        private DiodServer? _restarted;
        private DiodServer Current => _restarted ?? first;

        public override string Directory => first.Directory;
        public override Func<CancellationToken, ValueTask<Stream>> Dial { get; } = RemoteFileSystem.TcpDialer("127.0.0.1", first.Port);
        public override string Aname => first.Directory;
        public override RemoteOptions Options { get; } = new() { NUname = 0, ConnectTimeout = TimeSpan.FromSeconds(5) };
        public override Task KillAsync() => Current.KillAsync();

        public override async Task StartAsync() => _restarted = await DiodServer.StartAsync(first.Port, first.Directory);

        public override async ValueTask DisposeAsync()
        {
            if (_restarted is not null) await _restarted.DisposeAsync(); // kills it and removes the directory
            await first.DisposeAsync();
        }
    }
}
