using System.Text;
using Jint;
using Jint.Native;
using Jint.Runtime;
using Jint.Runtime.Interop;
using Microsoft.Extensions.Logging;

namespace Cheshire.Styx.Scripting;

/// <summary>The globals the API gives scripts besides standard JavaScript: readstr, utf8 and console.</summary>
internal static class ScriptHelpers
{
    private const int MaxLogLength = 4096;

    public static void Install(Engine engine, ILogger logger, string scriptName)
    {
        engine.SetValue("readstr", new ClrFunction(engine, "readstr", (_, args) =>
        {
            byte[] data = ScriptData.ToBytes(BuiltinGuards.Arg(args, 0), "readstr's data");
            long offset = Math.Max(0, (long)Math.Min(TypeConverter.ToIntegerOrInfinity(BuiltinGuards.Arg(args, 1)), long.MaxValue));
            long count = Math.Max(0, (long)Math.Min(TypeConverter.ToIntegerOrInfinity(BuiltinGuards.Arg(args, 2)), long.MaxValue));
            if (offset >= data.Length) return ScriptData.ToUint8Array(engine, []);
            return ScriptData.ToUint8Array(engine, data.AsSpan((int)offset, (int)Math.Min(count, data.Length - offset)));
        }, 3));
        engine.SetValue("utf8", new ClrFunction(engine, "utf8", (_, args) =>
        {
            var value = BuiltinGuards.Arg(args, 0);
            return value.IsString()
                ? ScriptData.ToUint8Array(engine, Encoding.UTF8.GetBytes(value.AsString()))
                : Encoding.UTF8.GetString(ScriptData.ToBytes(value, "utf8's argument"));
        }, 1));

        var console = engine.Intrinsics.Object.Construct(Arguments.Empty);
        foreach (var (name, level) in (ReadOnlySpan<(string, LogLevel)>)
                 [("log", LogLevel.Information), ("info", LogLevel.Information), ("debug", LogLevel.Debug),
                  ("warn", LogLevel.Warning), ("error", LogLevel.Error)])
        {
            console.Set(name, new ClrFunction(engine, name, (_, args) =>
            {
                if (!logger.IsEnabled(level)) return JsValue.Undefined;
                string text = string.Join(' ', args.Select(a => TypeConverter.ToString(a)));
                if (text.Length > MaxLogLength) text = text[..MaxLogLength] + "…";
#pragma warning disable CA2254 // the level is the console method's; the template is fixed
                logger.Log(level, "script {Script}: {Message}", scriptName, text);
#pragma warning restore CA2254
                return JsValue.Undefined;
            }, 0));
        }
        engine.SetValue("console", console);
    }
}
