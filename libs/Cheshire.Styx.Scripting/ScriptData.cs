using System.Text;
using Jint;
using Jint.Native;
using Jint.Runtime;

namespace Cheshire.Styx.Scripting;

/// <summary>File data between 9P and JavaScript: strings are UTF-8, binary data is a Uint8Array or ArrayBuffer.</summary>
internal static class ScriptData
{
    public static byte[] ToBytes(JsValue value, string what)
    {
        if (value.IsNullOrUndefined()) return [];
        if (value.IsString()) return Encoding.UTF8.GetBytes(value.AsString());
        if (value.IsUint8Array()) return value.AsUint8Array() ?? [];
        if (value.IsArrayBuffer()) return value.AsArrayBuffer() ?? [];
        throw new ScriptApiException($"{what} must be a string, Uint8Array or ArrayBuffer, not {Describe(value)}");
    }

    public static JsValue ToUint8Array(Engine engine, ReadOnlySpan<byte> bytes) => engine.Intrinsics.Uint8Array.Construct(bytes);

    public static string Describe(JsValue value) => value.IsObject() ? TypeConverter.ToString(value.AsObject().Get("constructor").Get("name")) is { Length: > 0 } name ? name : "object" : value.Type.ToString().ToLowerInvariant();
}

/// <summary>A script function returned something the API does not accept (reported as EIO with this text).</summary>
internal sealed class ScriptApiException(string message) : Exception(message);
