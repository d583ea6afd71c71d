using Cheshire.Protos.Namespace;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.FileSystem.Ram;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Remote;
using System.Net.Sockets;

namespace Cheshire.StyxRoot.Styx;

/// <summary>What a Mount request asks to mount; opens the tree.</summary>
public abstract record MountSource
{
    public const long DefaultRamCapacity = 1L << 30;

    public abstract string Description { get; }

    /// <summary>Reaches the tree; also returns how the mount table shows it (<see cref="Description"/>, or more once reached).</summary>
    public abstract ValueTask<(IFileSystem Tree, string Description)> OpenAsync(CancellationToken cancellationToken);

    /// <summary>The tree without reaching it yet: it connects at its first attach (and again after a drop).</summary>
    public abstract IFileSystem Prepare();

    public static MountSource Ram(ulong capacityBytes) =>
        capacityBytes > long.MaxValue
            ? throw NamespaceApi.Invalid($"capacity {capacityBytes} is too large.")
            : new RamSource(capacityBytes == 0 ? DefaultRamCapacity : (long)capacityBytes);

    public static MountSource Ninep(NinepSource source)
    {
        if (source.Msize is > 0 and < 4096)
            throw NamespaceApi.Invalid($"msize {source.Msize} is below 4096.");
        var uname = string.IsNullOrEmpty(source.Uname) ? "none" : source.Uname;
        var msize = source.Msize == 0 ? StyxConstants.DefaultMessageSize : source.Msize;
        if (source.Address.StartsWith(UnixPrefix, StringComparison.Ordinal))
        {
            var path = source.Address[UnixPrefix.Length..];
            if (!Path.IsPathFullyQualified(path))
                throw NamespaceApi.Invalid($"9P address '{source.Address}' is not unix:/absolute/path.");
            return new NinepSource9(RemoteFileSystem.UnixDialer(path), $"unix!{path}", source.Aname, uname, msize);
        }
        var separator = source.Address.LastIndexOf(':');
        if (separator <= 0 || !int.TryParse(source.Address.AsSpan(separator + 1), out var port) || port is < 1 or > 65535)
            throw NamespaceApi.Invalid($"9P address '{source.Address}' is neither host:port nor unix:/path.");
        var host = source.Address[..separator].Trim('[', ']');
        return new NinepSource9(RemoteFileSystem.TcpDialer(host, port), $"tcp!{host}!{port}", source.Aname, uname, msize);
    }

    private const string UnixPrefix = "unix:";

    public static MountSource Delegated(Cheshire.Protos.Namespace.DelegatedSource source)
    {
        if (!Path.IsPathFullyQualified(source.Socket))
            throw NamespaceApi.Invalid($"delegated socket '{source.Socket}' is not an absolute path.");
        if (!source.Aname.StartsWith('/'))
            throw NamespaceApi.Invalid($"delegated aname '{source.Aname}' is not an absolute path such as /home/music.");
        return new DelegatedExportSource(source.Socket, source.Aname);
    }

    /// <summary>Another 9P server, over TCP or a Unix socket.</summary>
    private sealed record NinepSource9(Func<CancellationToken, ValueTask<Stream>> Dial, string Address, string Aname, string Uname, uint Msize)
        : MountSource
    {
        public override string Description => $"9p {Address} {Aname}".TrimEnd();

        public override async ValueTask<(IFileSystem Tree, string Description)> OpenAsync(CancellationToken cancellationToken)
        {
            try
            {
                return (await RemoteFileSystem.ConnectAsync(Dial, Aname, Uname, Options, cancellationToken), Description);
            }
            catch (Exception e) when (e is SocketException or IOException or StyxErrorException or TimeoutException or OperationCanceledException)
            {
                throw new MountSourceException($"cannot mount {Description}: {e.Message}", e);
            }
        }

        public override IFileSystem Prepare() => RemoteFileSystem.Create(Dial, Aname, Uname, Options);

        // uid 0 for root, as diod expects; other users attach with no numeric id.
        private RemoteOptions Options => new() { MaxMessageSize = Msize, NUname = Uname == "root" ? 0 : Tauth.NoUid };
    }

    private sealed record RamSource(long Capacity) : MountSource
    {
        public override string Description => $"ram {Capacity}";

        public override ValueTask<(IFileSystem Tree, string Description)> OpenAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult((Prepare(), Description));

        public override IFileSystem Prepare() => new RamFileSystem(capacityBytes: Capacity);
    }
}

/// <summary>A mount source that could not be reached or attached; <see cref="Refused"/>: it answered, but not with a tree.</summary>
public sealed class MountSourceException(string message, Exception? inner = null, bool refused = false) : Exception(message, inner)
{
    public bool Refused { get; } = refused;
}
