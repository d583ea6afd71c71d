using Jint;
using Jint.Native;
using Jint.Runtime;

namespace Cheshire.Styx.Scripting;

/// <summary>What a script's stat(path) (or a readdir entry object) says about a file.</summary>
internal sealed record ScriptStat(bool IsDirectory, long? Length, uint? Permissions, DateTimeOffset? ModifyTime, uint Version)
{
    public static ScriptStat Parse(JsValue value, string what)
    {
        if (!value.IsObject()) throw new ScriptApiException($"{what} must return an object like {{ type: \"file\", length: 5 }}, not {ScriptData.Describe(value)}");
        var stat = value.AsObject();
        string type = stat.Get("type") is var t && t.IsUndefined() ? "file" : TypeConverter.ToString(t);
        bool directory = type switch
        {
            "file" => false,
            "dir" or "directory" => true,
            _ => throw new ScriptApiException($"{what}: type must be \"file\" or \"dir\", not \"{type}\""),
        };
        return new ScriptStat(directory,
            Number(stat.Get("length"), what, "length", long.MaxValue) is { } length ? (long)length : null,
            Number(stat.Get("mode"), what, "mode", 0xFFF) is { } mode ? (uint)mode : null,
            Time(stat.Get("mtime"), what),
            Number(stat.Get("version"), what, "version", uint.MaxValue) is { } version ? (uint)version : 0);
    }

    public ScriptStat WithLength(long length) => this with { Length = length };

    private static double? Number(JsValue value, string what, string field, double max)
    {
        if (value.IsUndefined() || value.IsNull()) return null;
        double number = value.IsNumber() ? value.AsNumber() : double.NaN;
        if (!(number >= 0 && number <= max && number == Math.Floor(number)))
            throw new ScriptApiException($"{what}: {field} must be a whole number from 0 to {max}, not {TypeConverter.ToString(value)}");
        return number;
    }

    private static DateTimeOffset? Time(JsValue value, string what)
    {
        if (value.IsUndefined() || value.IsNull()) return null;
        double ms = value.IsDate() ? TypeConverter.ToNumber(value) : value.IsNumber() ? value.AsNumber() : double.NaN;
        if (double.IsNaN(ms) || Math.Abs(ms) > 8.64e15) throw new ScriptApiException($"{what}: mtime must be a Date or milliseconds since 1970");
        return DateTimeOffset.FromUnixTimeMilliseconds((long)ms);
    }
}
