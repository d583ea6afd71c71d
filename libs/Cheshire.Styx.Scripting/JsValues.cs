using Jint;
using Jint.Native;

namespace Cheshire.Styx.Scripting;

internal static class JsValues
{
    public static bool IsNullOrUndefined(this JsValue value) => value.IsNull() || value.IsUndefined();

    /// <summary>Calls a function with an explicit this (Jint's Call overloads take extra JsValues as arguments, not as this).</summary>
    public static JsValue Apply(this JsValue function, JsValue self, params JsValue[] arguments) => function.Call(self, arguments);
}
