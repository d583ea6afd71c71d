using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;
using Jint.Native;
using Microsoft.Extensions.Logging;

namespace Cheshire.Styx.Scripting;

/// <summary>
/// An open file: the script's handle and the script version that made it, which serves it until it is closed
/// (also after the file was reloaded).
/// </summary>
internal sealed class ScriptOpenFile(ScriptProgram program, string path, JsValue handle, ILogger logger) : IOpenFile
{
    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        byte[] data = await program.ReadAsync(path, handle, offset, buffer.Length, cancellationToken);
        data.CopyTo(buffer);
        return data.Length;
    }

    public ValueTask<int> WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        program.WriteAsync(path, handle, offset, data, cancellationToken);

    /// <summary>Calls close(handle); a failure is logged (a clunk cannot fail).</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await program.CloseAsync(path, handle, CancellationToken.None);
        }
        catch (StyxErrorException e)
        {
            logger.LogDebug("script {Script}: close {Path}: {Error}", program.Name, path, e.Message);
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
