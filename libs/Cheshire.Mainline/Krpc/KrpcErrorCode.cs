namespace Cheshire.Mainline.Krpc;

/// <summary>KRPC error codes (BEP 5) and BEP 44 store errors.</summary>
public static class KrpcErrorCode
{
    public const int Generic = 201;
    public const int Server = 202;
    public const int Protocol = 203;
    public const int MethodUnknown = 204;
    public const int MessageTooBig = 205;
    public const int InvalidSignature = 206;
    public const int SaltTooBig = 207;
    public const int CasMismatch = 301;
    public const int SequenceTooOld = 302;
}

/// <summary>A KRPC error: thrown by query handlers to produce an error reply, and by clients when a node replies with one.</summary>
public sealed class KrpcException(int code, string message) : Exception($"KRPC error {code}: {message}")
{
    public int Code { get; } = code;

    public string ErrorMessage { get; } = message;
}
