using Cheshire.Kademlia;
using Cheshire.Kademlia.Wire;
using Grpc.Core;

namespace Cheshire.Dht.Api;

/// <summary>Maps engine refusals to gRPC status codes, keeping the engine's message.</summary>
public static class DhtErrors
{
    public static RpcException ToRpc(DhtException e) => new(new Status(StatusOf(e.Code), $"{Name(e.Code)}: {e.Message}"));

    public static StatusCode StatusOf(ErrorCode code) => code switch
    {
        ErrorCode.ErrorValueTooLarge or ErrorCode.ErrorMalformed or ErrorCode.ErrorBadSignature => StatusCode.InvalidArgument,
        ErrorCode.ErrorTooManyValues or ErrorCode.ErrorStoreFull or ErrorCode.ErrorRateLimited or ErrorCode.ErrorTooManyListeners
            => StatusCode.ResourceExhausted,
        ErrorCode.ErrorStaleSeq or ErrorCode.ErrorNotOwner => StatusCode.FailedPrecondition,
        ErrorCode.ErrorBadToken or ErrorCode.ErrorNone => StatusCode.Unavailable,
        _ => StatusCode.Internal,
    };

    /// <summary>"TOO_MANY_VALUES" for ErrorTooManyValues, as in the wire protocol.</summary>
    public static string Name(ErrorCode code) =>
        string.Concat(code.ToString().Replace("Error", "", StringComparison.Ordinal)
            .Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();

    public static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
