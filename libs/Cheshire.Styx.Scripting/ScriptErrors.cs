using System.Text.RegularExpressions;
using Cheshire.Styx.Protocol;
using Jint;
using Jint.Native;
using Jint.Runtime;

namespace Cheshire.Styx.Scripting;

/// <summary>Turns whatever a call into a script threw into the 9P error its client receives.</summary>
internal static partial class ScriptErrors
{
    /// <summary>"ENOENT", "ENOENT: text" or "ENOENT text".</summary>
    [GeneratedRegex(@"^(E[A-Z0-9]+)(?::\s*|\s+|$)(.*)$", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex ErrnoPrefix();

    /// <summary>The limit broken by <paramref name="e"/>, or null when the call failed some other way.</summary>
    public static ScriptLimitException? AsLimit(Exception e, ScriptLimits limits) => e switch
    {
        ScriptLimitException limit => limit,
        RegexMatchTimeoutException => new(ScriptLimit.Time,
            $"regular expression time limit of {limits.RegexTimeout.TotalMilliseconds:0} ms exceeded"),
        TimeoutException => new(ScriptLimit.Time, $"time limit of {limits.Timeout.TotalMilliseconds:0} ms exceeded"),
        StatementsCountOverflowException => new(ScriptLimit.Statements, $"statement limit of {limits.MaxStatements} exceeded"),
        RecursionDepthOverflowException or InsufficientExecutionStackException =>
            new(ScriptLimit.Recursion, $"recursion limit of {limits.MaxRecursion} exceeded"),
        JavaScriptException js when js.Error.IsObject() && js.Message.Contains("Maximum call stack size exceeded", StringComparison.Ordinal) =>
            new(ScriptLimit.Recursion, "native stack exhausted"),
        MemoryLimitExceededException m => new(ScriptLimit.Memory, m.Message.StartsWith("The array size", StringComparison.Ordinal)
            ? $"array longer than {limits.MaxArrayLength} elements"
            : $"memory limit of {limits.MaxMemory} bytes exceeded"),
        OutOfMemoryException => new(ScriptLimit.Memory, "out of memory"),
        _ => null,
    };

    /// <summary>The errno and text of a value the script threw (an Error, an object with errno, or a string).</summary>
    public static StyxErrorException FromThrown(JsValue thrown)
    {
        string message = thrown.IsObject() ? Text(thrown.AsObject().Get("message")) : Text(thrown);
        if (thrown.IsObject())
        {
            var errno = thrown.AsObject().Get("errno");
            if (errno.IsNumber() && errno.AsNumber() is > 0 and < 4096 and var number && number == Math.Floor(number))
                return Error((Errno)(uint)number, message);
            if (errno.IsString() && ErrnoNames.TryParse(errno.AsString(), out var named)) return Error(named, message);
        }
        var match = ErrnoPrefix().Match(message);
        if (match.Success && ErrnoNames.TryParse(match.Groups[1].Value, out var prefixed))
            return Error(prefixed, match.Groups[2].Value);
        return new StyxErrorException(Errno.EIO, message.Length > 0 ? message : "script error");
    }

    private static StyxErrorException Error(Errno errno, string text) =>
        new(errno, text.Length > 0 ? text : ErrnoText.Of(errno));

    private static string Text(JsValue value) => value.IsUndefined() || value.IsNull() ? "" : TypeConverter.ToString(value);

    /// <summary>"file.js:12:4" of where the script failed, when Jint knows it.</summary>
    public static string Where(Exception e) =>
        JintException.TryGetJavaScriptLocation(e, out var location) ? $" at {location.SourceFile}:{location.Start.Line}:{location.Start.Column}" : "";
}
