using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Interop;

namespace Cheshire.Styx.Scripting;

/// <summary>
/// JSON.stringify with its output counted as it is produced: every value passes through a replacer (the script's own,
/// if it gave a function, is called inside it) that adds an upper bound of the text each value becomes, indentation
/// included, and stops the call once that is over <see cref="ScriptLimits.MaxStringLength"/>. With a property-list
/// replacer the count is a first pass over every property (more than the real output), then the real call runs.
/// </summary>
internal sealed class JsonGuard(Engine engine, ScriptLimits limits)
{
    private const int MaxGap = 10;   // JSON.stringify caps indentation at 10
    private const int NumberText = 24;

    public JsValue Stringify(JsValue self, JsValue[] args, JsValue original)
    {
        var value = BuiltinGuards.Arg(args, 0);
        var replacer = BuiltinGuards.Arg(args, 1);
        var space = BuiltinGuards.Arg(args, 2);
        int gap = space.IsNumber() ? (int)Math.Clamp(TypeConverter.ToIntegerOrInfinity(space), 0, MaxGap)
            : space.IsString() ? Math.Min(MaxGap, space.AsString().Length)
            : space.IsObject() ? MaxGap : 0;
        if (replacer.IsArray())
        {
            original.Apply(self, value, Counter(JsValue.Undefined, gap), space);
            return original.Call(self, args);
        }
        return original.Apply(self, value, Counter(replacer.IsCallable() ? replacer : JsValue.Undefined, gap), space);
    }

    private ClrFunction Counter(JsValue replacer, int gap)
    {
        double total = 0;
        var depths = new Dictionary<ObjectInstance, int>(ReferenceEqualityComparer.Instance);
        return new ClrFunction(engine, "replacer", (holder, args) =>
        {
            var key = BuiltinGuards.Arg(args, 0);
            var value = replacer.IsUndefined() ? BuiltinGuards.Arg(args, 1) : replacer.Call(holder, args);
            int depth = holder.IsObject() && depths.TryGetValue(holder.AsObject(), out int d) ? d : 0;
            double indent = gap > 0 ? 2 + (double)gap * (depth + 1) : 0;
            total += Escaped(TypeConverter.ToString(key)) + 4 + indent + value switch
            {
                _ when value.IsString() => Escaped(value.AsString()) + 2,
                _ when value.IsNumber() || value.IsBigInt() => NumberText,
                _ when value.IsObject() && !value.IsCallable() => 2 + indent,
                _ => 5,
            };
            if (value.IsObject() && !value.IsCallable()) depths[value.AsObject()] = depth + 1;
            BuiltinGuards.CheckString(total, "JSON.stringify", limits);
            return value;
        }, 2);
    }

    /// <summary>Length of a string as a JSON string body: escapes for quotes, backslashes, controls, lone surrogates.</summary>
    private static double Escaped(string s)
    {
        double length = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c is '"' or '\\') length += 2;
            else if (c < 0x20) length += 6;
            else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { length += 2; i++; }
            else if (char.IsSurrogate(c)) length += 6;
            else length++;
        }
        return length;
    }
}
