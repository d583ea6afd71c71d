using Cheshire.Styx.Protocol;
using Jint;
using Jint.Native;

namespace Cheshire.Styx.Scripting;

/// <summary>The JavaScript API (README.md): each method is one call into the script.</summary>
internal sealed partial class ScriptProgram
{
    private const int LengthReadSize = 64 * 1024;

    private JsValue? _stat, _readdir, _open, _read, _write, _close, _create, _remove, _truncate;

    public bool CanWrite => _write is not null;
    public bool CanTruncate => _truncate is not null;

    private void BindFunctions()
    {
        JsValue? Function(string name) => _engine.Global.Get(name) is var f && f.IsCallable() ? f : null;
        _stat = Function("stat") ?? throw new ScriptLoadException($"{Name}: the script must define a function stat(path)");
        _readdir = Function("readdir");
        _open = Function("open");
        _read = Function("read");
        _write = Function("write");
        _close = Function("close");
        _create = Function("create");
        _remove = Function("remove");
        _truncate = Function("truncate");
    }

    /// <summary>
    /// stat(path). With <paramref name="measure"/>, a file whose stat gives no length is measured by reading it to the
    /// end (attributes need it; walks only need the type).
    /// </summary>
    public ValueTask<ScriptStat> StatAsync(string path, bool measure, CancellationToken ct) =>
        CallAsync("stat", path, () => measure ? Measured(path, StatCore(path)) : StatCore(path), ct);

    /// <summary>readdir(path): names, each with its (unmeasured) stat when the script gave an entry object.</summary>
    public ValueTask<IReadOnlyList<(string Name, ScriptStat? Stat)>> ReaddirAsync(string path, CancellationToken ct) =>
        CallAsync<IReadOnlyList<(string, ScriptStat?)>>("readdir", path, () =>
        {
            if (_readdir is null) throw new StyxErrorException(Errno.EIO, $"script {Name}: {path} is a directory but readdir is not defined");
            var list = _readdir.Apply(JsValue.Undefined, path);
            if (!list.IsArray()) throw new ScriptApiException($"readdir must return an array, not {ScriptData.Describe(list)}");
            var array = list.AsArray();
            var entries = new List<(string, ScriptStat?)>((int)array.Length);
            for (uint i = 0; i < array.Length; i++)
            {
                var entry = array[i];
                if (entry.IsString()) entries.Add((ValidName(entry.AsString()), null));
                else if (entry.IsObject())
                {
                    string name = ValidName(Jint.Runtime.TypeConverter.ToString(entry.AsObject().Get("name")));
                    var stat = ScriptStat.Parse(entry, "a readdir entry");
                    entries.Add((name, stat));
                }
                else throw new ScriptApiException($"readdir entries must be names or objects, not {ScriptData.Describe(entry)}");
            }
            return entries;
        }, ct);

    /// <summary>open(path, mode): the handle the script keeps its state in ({ path, mode } when open is not defined).</summary>
    public ValueTask<JsValue> OpenAsync(string path, string mode, CancellationToken ct) =>
        CallAsync("open", path, () => OpenCore(path, mode), ct);

    public ValueTask<byte[]> ReadAsync(string path, JsValue handle, long offset, int count, CancellationToken ct) =>
        CallAsync("read", path, () => ReadCore(handle, offset, count), ct);

    public ValueTask<int> WriteAsync(string path, JsValue handle, long offset, ReadOnlyMemory<byte> data, CancellationToken ct) =>
        CallAsync("write", path, () =>
        {
            if (_write is null) throw new StyxErrorException(Errno.EBADF);
            var result = _write.Apply(JsValue.Undefined, handle, offset, System.Text.Encoding.UTF8.GetString(data.Span),
                ScriptData.ToUint8Array(_engine, data.Span));
            if (result.IsUndefined()) return data.Length;
            double written = result.IsNumber() ? result.AsNumber() : -1;
            if (!(written >= 0 && written <= data.Length && written == Math.Floor(written)))
                throw new ScriptApiException($"write must return the number of bytes written (0 to {data.Length}) or nothing");
            return (int)written;
        }, ct);

    public ValueTask CloseAsync(string path, JsValue handle, CancellationToken ct) =>
        CallAsync("close", path, () => CloseCore(handle), ct);

    public ValueTask CreateAsync(string path, string type, uint permissions, CancellationToken ct) =>
        CallAsync("create", path, () =>
        {
            if (_create is null) throw new StyxErrorException(Errno.EROFS, $"script {Name} does not create files");
            _create.Apply(JsValue.Undefined, path, type, permissions);
        }, ct);

    public ValueTask RemoveAsync(string path, CancellationToken ct) =>
        CallAsync("remove", path, () =>
        {
            if (_remove is null) throw new StyxErrorException(Errno.EROFS, $"script {Name} does not remove files");
            _remove.Apply(JsValue.Undefined, path);
        }, ct);

    public ValueTask TruncateAsync(string path, long length, CancellationToken ct) =>
        CallAsync("truncate", path, () => { _truncate?.Apply(JsValue.Undefined, path, length); }, ct);

    private ScriptStat StatCore(string path)
    {
        var result = _stat!.Apply(JsValue.Undefined, path);
        if (result.IsNullOrUndefined()) throw new StyxErrorException(Errno.ENOENT);
        return ScriptStat.Parse(result, "stat");
    }

    private ScriptStat Measured(string path, ScriptStat stat)
    {
        if (stat.IsDirectory || stat.Length is not null) return stat;
        if (_read is null) return stat.WithLength(0);
        var handle = OpenCore(path, "r");
        try
        {
            long length = 0;
            for (int got; (got = ReadCore(handle, length, LengthReadSize).Length) > 0;) length += got;
            return stat.WithLength(length);
        }
        finally
        {
            CloseCore(handle);
        }
    }

    private JsValue OpenCore(string path, string mode)
    {
        var handle = _open?.Apply(JsValue.Undefined, path, mode) ?? JsValue.Undefined;
        if (!handle.IsUndefined()) return handle;
        var defaultHandle = _engine.Intrinsics.Object.Construct(Jint.Runtime.Arguments.Empty);
        defaultHandle.Set("path", path);
        defaultHandle.Set("mode", mode);
        return defaultHandle;
    }

    private byte[] ReadCore(JsValue handle, long offset, int count)
    {
        if (_read is null) throw new StyxErrorException(Errno.EBADF);
        byte[] data = ScriptData.ToBytes(_read.Apply(JsValue.Undefined, handle, offset, count), "read's result");
        return data.Length <= count ? data : data[..count];
    }

    private void CloseCore(JsValue handle) => _close?.Apply(JsValue.Undefined, handle);

    private static string ValidName(string name) =>
        name.Length == 0 || name is "." or ".." || name.Contains('/')
            ? throw new ScriptApiException($"readdir returned a bad name \"{name}\"")
            : name;

    public static string Child(string directory, string name) => directory == "/" ? "/" + name : directory + "/" + name;
}
