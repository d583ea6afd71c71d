using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Scripting;

/// <summary>The limit a call broke, and the errno a 9P client receives for it.</summary>
internal enum ScriptLimit
{
    Time,
    Statements,
    Recursion,
    Memory,
}

/// <summary>A call broke one of the <see cref="ScriptLimits"/>; JavaScript cannot catch it (it is not a JS error).</summary>
internal sealed class ScriptLimitException(ScriptLimit limit, string message) : Exception(message)
{
    public ScriptLimit Limit { get; } = limit;

    public Errno Errno => Limit switch
    {
        ScriptLimit.Time => Errno.ETIME,
        ScriptLimit.Statements => Errno.EDQUOT,
        ScriptLimit.Recursion => Errno.ELOOP,
        _ => Errno.ENOMEM,
    };
}
