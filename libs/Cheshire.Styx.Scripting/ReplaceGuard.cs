using Jint;
using Jint.Native;
using Jint.Runtime;
using Jint.Runtime.Interop;

namespace Cheshire.Styx.Scripting;

/// <summary>
/// String.prototype.replace/replaceAll and RegExp.prototype[Symbol.replace]: the worst-case result length is computed
/// before the call (matches × expanded replacement); a replacer function's results are counted as they come.
/// </summary>
internal sealed class ReplaceGuard(Engine engine, ScriptLimits limits)
{
    public JsValue String(JsValue self, JsValue[] args, JsValue original, bool all)
    {
        var search = BuiltinGuards.Arg(args, 0);
        // A RegExp (or any object) goes through its own Symbol.replace, which is guarded below.
        if (self.IsNullOrUndefined() || search.IsObject()) return original.Call(self, args);
        string s = TypeConverter.ToString(self);
        string pattern = TypeConverter.ToString(search);
        double matches = all ? Occurrences(s, pattern) : s.Contains(pattern, StringComparison.Ordinal) ? 1 : 0;
        return original.Apply(s, pattern, Replacement(s, BuiltinGuards.Arg(args, 1), matches, "replace"));
    }

    public JsValue RegExp(JsValue self, JsValue[] args, JsValue original)
    {
        if (!self.IsObject()) return original.Call(self, args);
        string s = TypeConverter.ToString(BuiltinGuards.Arg(args, 0));
        bool global = TypeConverter.ToString(self.Get("flags")).Contains('g');
        return original.Apply(self, s, Replacement(s, BuiltinGuards.Arg(args, 1), global ? s.Length + 1 : 1, "RegExp replace"));
    }

    private JsValue Replacement(string s, JsValue replacement, double matches, string what)
    {
        if (replacement.IsCallable()) return CountingReplacer(replacement, s.Length, what);
        string text = TypeConverter.ToString(replacement);
        // "$&", "$`", "$'", "$1", "$<name>" each insert at most the whole subject.
        double perMatch = text.Length + text.Count(c => c == '$') * (double)s.Length;
        BuiltinGuards.CheckString(s.Length + matches * perMatch, what, limits);
        return text;
    }

    private ClrFunction CountingReplacer(JsValue replacer, int subjectLength, string what)
    {
        double total = subjectLength;
        return new ClrFunction(engine, "replacer", (self, args) =>
        {
            string part = TypeConverter.ToString(replacer.Call(self, args));
            total += part.Length;
            BuiltinGuards.CheckString(total, what, limits);
            return part;
        });
    }

    private static double Occurrences(string s, string pattern)
    {
        if (pattern.Length == 0) return s.Length + 1;
        double count = 0;
        for (int at = s.IndexOf(pattern, StringComparison.Ordinal); at >= 0; at = s.IndexOf(pattern, at + pattern.Length, StringComparison.Ordinal))
            count++;
        return count;
    }
}
