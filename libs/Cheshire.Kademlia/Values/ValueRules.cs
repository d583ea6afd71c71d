using Cheshire.Kademlia.Wire;

namespace Cheshire.Kademlia.Values;

/// <summary>Checks every node applies to a value before storing it or handing it to the application.</summary>
internal static class ValueRules
{
    public static ErrorCode Check(NodeId key, DhtValue value, int maxValueSize)
    {
        var wire = value.Wire;
        if (wire.Data.Length > maxValueSize) return ErrorCode.ErrorValueTooLarge;
        if (wire.Owner.Length is not (0 or 32) || wire.Signature.Length is not (0 or 64)) return ErrorCode.ErrorMalformed;
        if (wire.Owner.IsEmpty != wire.Signature.IsEmpty) return ErrorCode.ErrorMalformed;
        if (wire.Recipient.Length is not (0 or 20)) return ErrorCode.ErrorMalformed;
        if (wire.Type.Length > DhtValue.MaxTypeLength) return ErrorCode.ErrorMalformed;
        if (!wire.Recipient.IsEmpty && wire.Data.Length < ValueCrypto.Overhead) return ErrorCode.ErrorMalformed;
        if (value.IsSigned && !value.VerifySignature(key)) return ErrorCode.ErrorBadSignature;
        return ErrorCode.ErrorNone;
    }

    /// <summary>Whether <paramref name="incoming"/> may take the place of <paramref name="existing"/> (same key and value id).</summary>
    public static (ErrorCode Code, bool Replace) Replacement(DhtValue existing, DhtValue incoming)
    {
        if (existing.IsSigned)
        {
            if (!incoming.IsSigned || !existing.Wire.Owner.Equals(incoming.Wire.Owner)) return (ErrorCode.ErrorNotOwner, false);
            if (incoming.Seq > existing.Seq) return (ErrorCode.ErrorNone, true);
            if (incoming.Seq == existing.Seq && incoming.Wire.Data.Equals(existing.Wire.Data)) return (ErrorCode.ErrorNone, false);
            return (ErrorCode.ErrorStaleSeq, false);
        }
        if (incoming.Seq < existing.Seq) return (ErrorCode.ErrorStaleSeq, false);
        return (ErrorCode.ErrorNone, !incoming.Equals(existing));
    }
}
