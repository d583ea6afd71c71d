using Cheshire.ServiceDefaults.Dependencies;
using Cheshire.Styx.Protocol;
using Grpc.Core;

namespace Cheshire.StyxProvider.Control;

/// <summary>
/// Turns a failed call to a module into the 9P error a user reads: "dht unavailable: …" when the module could not be
/// reached, did not answer in time or is known down ("dht unavailable: not running: …", EIO), "dht: …" with the module's own message when it refused the request
/// (EINVAL for bad arguments, ENOSPC for exhausted limits, EPERM for ownership/sequence conflicts, ENOENT, else EIO).
/// </summary>
public static class ModuleErrors
{
    public static StyxErrorException From(string module, Exception e) => e switch
    {
        StyxErrorException styx => styx,
        RpcException rpc => FromRpc(module, rpc),
        _ => Unavailable(module, e.Message),
    };

    public static StyxErrorException Unavailable(string module, string reason) => new(Errno.EIO, $"{module} {UnavailableMark} {reason}");

    /// <summary>True for the errors of <see cref="Unavailable"/>: the module could not be reached.</summary>
    public static bool IsUnavailable(StyxErrorException e) =>
        e.Errno == Errno.EIO && e.Message.IndexOf(' ', StringComparison.Ordinal) is var space and > 0 &&
        e.Message.AsSpan(space + 1).StartsWith(UnavailableMark + " ", StringComparison.Ordinal);

    private const string UnavailableMark = "unavailable:";

    private static StyxErrorException FromRpc(string module, RpcException e)
    {
        var detail = e.Status.Detail;
        if (KnownDown(e.Status.DebugException) is { } down)
            return Unavailable(module, down.Reason);
        return e.StatusCode switch
        {
            // no answer: the client could not connect (DebugException is the transport's error) or the deadline passed
            StatusCode.Unavailable when e.Status.DebugException is { } cause => Unavailable(module, Innermost(cause)),
            StatusCode.DeadlineExceeded => Unavailable(module, "no answer before the deadline"),
            StatusCode.Cancelled or StatusCode.Unknown or StatusCode.Internal when e.Status.DebugException is { } cause =>
                Unavailable(module, Innermost(cause)),
            StatusCode.InvalidArgument or StatusCode.OutOfRange => new StyxErrorException(Errno.EINVAL, $"{module}: {detail}"),
            StatusCode.ResourceExhausted => new StyxErrorException(Errno.ENOSPC, $"{module}: {detail}"),
            StatusCode.FailedPrecondition or StatusCode.PermissionDenied => new StyxErrorException(Errno.EPERM, $"{module}: {detail}"),
            StatusCode.NotFound => new StyxErrorException(Errno.ENOENT, $"{module}: {detail}"),
            StatusCode.Unimplemented => new StyxErrorException(Errno.EOPNOTSUPP, $"{module}: {detail}"),
            _ => new StyxErrorException(Errno.EIO, $"{module}: {detail}"),
        };
    }

    /// <summary>The call was not made: the module is known down (the client's FailFastWhenDown).</summary>
    private static ModuleUnavailableException? KnownDown(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is ModuleUnavailableException down)
                return down;
        return null;
    }

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e.Message;
    }
}
