using System.Runtime.CompilerServices;
using System.Text;
using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;

namespace Cheshire.Styx.Scripting;

/// <summary>
/// Array.prototype.join / toLocaleString and %TypedArray%.prototype.join with the result's length checked as it grows.
/// A cyclic array joins its repeated occurrence as "" (what Jint and browsers do).
/// </summary>
internal sealed class JoinGuard(ScriptLimits limits)
{
    private readonly HashSet<ObjectInstance> _joining = new(ReferenceEqualityComparer.Instance);

    public JsValue Join(Engine engine, JsValue self, JsValue separator, bool locale)
    {
        if (self.IsNullOrUndefined()) throw new JavaScriptException(engine.Intrinsics.TypeError, "join called on null or undefined");
        var array = ToObject(engine, self);
        if (!_joining.Add(array)) return JsString.Empty;
        try
        {
            RuntimeHelpers.EnsureSufficientExecutionStack();
            double length = TypeConverter.ToLength(array.Get("length"));
            if (length > limits.MaxArrayLength)
            {
                throw new ScriptLimitException(ScriptLimit.Memory,
                    $"join of {length:0} elements, over the limit of {limits.MaxArrayLength}");
            }
            string sep = locale ? "," : separator.IsUndefined() ? "," : TypeConverter.ToString(separator);
            var text = new StringBuilder();
            for (uint i = 0; i < (uint)length; i++)
            {
                if (i > 0) text.Append(sep);
                var element = array.Get(i);
                if (element.IsNullOrUndefined()) continue;
                text.Append(locale ? TypeConverter.ToString(ToObject(engine, element).Get("toLocaleString").Apply(element)) : TypeConverter.ToString(element));
                BuiltinGuards.CheckString(text.Length, locale ? "toLocaleString" : "join", limits);
            }
            BuiltinGuards.CheckString(text.Length, locale ? "toLocaleString" : "join", limits);
            return text.ToString();
        }
        finally
        {
            _joining.Remove(array);
        }
    }

    /// <summary>ECMAScript ToObject: primitives get their wrapper (whose prototype has the methods).</summary>
    private static ObjectInstance ToObject(Engine engine, JsValue value) =>
        value.IsObject() ? value.AsObject() : engine.Intrinsics.Object.Construct([value]);
}
