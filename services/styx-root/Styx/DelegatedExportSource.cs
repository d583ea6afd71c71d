using Cheshire.Styx.FileSystem;
using Cheshire.Styx.FileSystem.Local;

namespace Cheshire.StyxRoot.Styx;

/// <summary>
/// A local directory its exporter (styx-provider) hands over as a descriptor (<see cref="ExportDelegation"/>): served
/// in this process, confined beneath that descriptor by the kernel, with no 9P hop to the exporter. Shown in the mount
/// table as "delegated unix!SOCKET ANAME: export /the/directory".
/// </summary>
public sealed record DelegatedExportSource(string Socket, string Aname) : MountSource
{
    public override string Description => $"delegated unix!{Socket} {Aname}";

    public override async ValueTask<(IFileSystem Tree, string Description)> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            var export = await ExportDelegation.RequestAsync(Socket, Aname, cancellationToken);
            return (export.FileSystem, $"{Description}: {export.Description}");
        }
        catch (ExportDelegationException e)
        {
            throw new MountSourceException($"cannot mount {Description}: {e.Message}", e, refused: !e.Unreachable);
        }
    }

    public override IFileSystem Prepare() =>
        throw new InvalidOperationException("a delegated export is taken over when it is mounted, not prepared");
}
