using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;

namespace Cheshire.Styx.Scripting;

/// <summary>
/// Jint checks its limits between statements, so one built-in call that builds a huge string or buffer
/// ("x".repeat(2**28), [s, s, …].join(s), JSON.stringify([s, s, …]), new Uint8Array(1e9)) would allocate it before any check ran (Jint #683).
/// These wrappers compute what such a call would build and refuse it first with a <see cref="ScriptLimitException"/>,
/// which JavaScript cannot catch. Arrays themselves are bounded by Jint's MaxArraySize.
/// </summary>
internal static class BuiltinGuards
{
    private const string GuardConstructors = """
        (function (limit) {
          'use strict';
          const construct = Reflect.construct, OriginalArrayBuffer = ArrayBuffer;
          const names = ['ArrayBuffer', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
            'Int32Array', 'Uint32Array', 'Float16Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'];
          for (const name of names) {
            const original = globalThis[name];
            if (typeof original !== 'function') continue;
            const unit = original.BYTES_PER_ELEMENT || 1;
            const guarded = new Proxy(original, {
              construct(target, args, newTarget) {
                const first = args[0];
                let count = 0;
                if (typeof first === 'object' && first !== null) {
                  if (!(first instanceof OriginalArrayBuffer)) count = Number(first.length) || 0;
                } else if (typeof first === 'number' || typeof first === 'bigint' || typeof first === 'string') {
                  count = Number(first) || 0;
                }
                limit(name, count * unit);
                return construct(target, args, newTarget === guarded ? target : newTarget);
              },
            });
            Object.defineProperty(globalThis, name, { value: guarded, writable: true, configurable: true });
            Object.defineProperty(original.prototype, 'constructor', { value: guarded, writable: true, configurable: true });
          }
        })
        """;

    public static void Install(Engine engine, ScriptLimits limits)
    {
        var joins = new JoinGuard(limits);
        var strings = Prototype(engine, "String");
        Wrap(engine, strings, "repeat", 1, (self, args, original) =>
        {
            if (self.IsNullOrUndefined()) return original.Call(self, args);
            string s = TypeConverter.ToString(self);
            double count = TypeConverter.ToIntegerOrInfinity(Arg(args, 0));
            if (s.Length > 0 && count > 0) CheckString(s.Length * count, "repeat", limits);
            return original.Apply(s, count);
        });
        foreach (var name in (string[])["padStart", "padEnd"])
        {
            Wrap(engine, strings, name, 2, (self, args, original) =>
            {
                if (self.IsNullOrUndefined()) return original.Call(self, args);
                string s = TypeConverter.ToString(self);
                double length = TypeConverter.ToLength(Arg(args, 0));
                JsValue filler = Arg(args, 1).IsUndefined() ? JsValue.Undefined : TypeConverter.ToString(Arg(args, 1));
                if (length > s.Length && !(filler is JsString { Length: 0 })) CheckString(length, name, limits);
                return original.Apply(s, length, filler);
            });
        }
        Wrap(engine, strings, "concat", 1, (self, args, original) =>
        {
            if (self.IsNullOrUndefined()) return original.Call(self, args);
            string s = TypeConverter.ToString(self);
            var parts = new JsValue[args.Length];
            double total = s.Length;
            for (int i = 0; i < args.Length; i++)
            {
                string part = TypeConverter.ToString(args[i]);
                total += part.Length;
                parts[i] = part;
            }
            CheckString(total, "concat", limits);
            return original.Apply(s, parts);
        });
        var replaceGuard = new ReplaceGuard(engine, limits);
        Wrap(engine, strings, "replace", 2, (self, args, original) => replaceGuard.String(self, args, original, all: false));
        Wrap(engine, strings, "replaceAll", 2, (self, args, original) => replaceGuard.String(self, args, original, all: true));
        Wrap(engine, Prototype(engine, "RegExp"), engine.Evaluate("Symbol.replace"), 2, replaceGuard.RegExp);

        var json = new JsonGuard(engine, limits);
        Wrap(engine, engine.Global.Get("JSON").AsObject(), "stringify", 3, json.Stringify);

        var arrays = Prototype(engine, "Array");
        Wrap(engine, arrays, "join", 1, (self, args, _) => joins.Join(engine, self, Arg(args, 0), locale: false));
        Wrap(engine, arrays, "toLocaleString", 0, (self, _, _) => joins.Join(engine, self, JsValue.Undefined, locale: true));
        var typedArrays = engine.Evaluate("Object.getPrototypeOf(Uint8Array.prototype)").AsObject();
        Wrap(engine, typedArrays, "join", 1, (self, args, _) => joins.Join(engine, self, Arg(args, 0), locale: false));
        Wrap(engine, typedArrays, "toLocaleString", 0, (self, _, _) => joins.Join(engine, self, JsValue.Undefined, locale: true));

        var buffers = Prototype(engine, "ArrayBuffer");
        foreach (var name in (string[])["resize", "transfer", "transferToFixedLength"])
        {
            Wrap(engine, buffers, name, 1, (self, args, original) =>
            {
                if (!Arg(args, 0).IsUndefined())
                    CheckBytes(TypeConverter.ToIntegerOrInfinity(Arg(args, 0)), $"ArrayBuffer.prototype.{name}", limits);
                return original.Call(self, args);
            });
        }
        var limit = new ClrFunction(engine, "limit", (_, args) =>
        {
            CheckBytes(TypeConverter.ToNumber(Arg(args, 1)), $"new {TypeConverter.ToString(Arg(args, 0))}", limits);
            return JsValue.Undefined;
        }, 2);
        engine.Evaluate(GuardConstructors).Apply(JsValue.Undefined, limit);
    }

    public static void CheckString(double length, string what, ScriptLimits limits)
    {
        if (length > limits.MaxStringLength)
        {
            throw new ScriptLimitException(ScriptLimit.Memory,
                $"{what} would build a string of {length:0} characters, over the limit of {limits.MaxStringLength}");
        }
    }

    private static void CheckBytes(double length, string what, ScriptLimits limits)
    {
        if (length > limits.MaxArrayLength)
        {
            throw new ScriptLimitException(ScriptLimit.Memory,
                $"{what} would allocate {length:0} bytes, over the limit of {limits.MaxArrayLength}");
        }
    }

    internal static JsValue Arg(JsValue[] args, int index) => index < args.Length ? args[index] : JsValue.Undefined;

    private static ObjectInstance Prototype(Engine engine, string constructor) =>
        engine.Global.Get(constructor).AsObject().Get("prototype").AsObject();

    private static void Wrap(Engine engine, ObjectInstance target, JsValue key, int length,
        Func<JsValue, JsValue[], JsValue, JsValue> body)
    {
        var original = target.Get(key);
        string name = key.IsSymbol() ? $"[{TypeConverter.ToString(key.Get("description"))}]" : key.ToString();
        var wrapper = new ClrFunction(engine, name, (self, args) => body(self, args, original), length);
        target.DefineOwnProperty(key, new PropertyDescriptor(wrapper, writable: true, enumerable: false, configurable: true));
    }
}
