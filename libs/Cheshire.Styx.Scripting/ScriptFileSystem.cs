using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cheshire.Styx.Scripting;

/// <summary>
/// A file tree served by a JavaScript file (API: README.md). The script runs sandboxed in its own Jint engine under
/// <see cref="ScriptLimits"/>, and is reloaded when the file changes; a version that fails to load (syntax error,
/// failing top-level code) is logged and the previous one keeps serving.
/// <code>
/// await using var clock = new ScriptFileSystem("samples/clock.js", ScriptLimits.Default, logger);
/// ns.Mount("/scripts/clock", clock);
/// </code>
/// </summary>
public sealed class ScriptFileSystem : IFileSystem, IAsyncDisposable
{
    private readonly ScriptLimits _limits;
    private readonly ScriptWatcher _watcher;
    private readonly Lock _reloadLock = new();
    private ScriptProgram _current;
    private string _loadedSource;
    private string? _failedSource;

    /// <exception cref="FileNotFoundException">The script does not exist.</exception>
    /// <exception cref="ScriptLoadException">It has a syntax error (<see cref="ScriptLoadException.Line"/>), its top-level code
    /// failed, or it defines no stat function.</exception>
    public ScriptFileSystem(string scriptPath, ScriptLimits? limits = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scriptPath);
        _limits = limits ?? ScriptLimits.Default;
        _limits.Validate();
        Logger = logger ?? NullLogger.Instance;
        ScriptPath = System.IO.Path.GetFullPath(scriptPath);
        if (!File.Exists(ScriptPath)) throw new FileNotFoundException($"script {ScriptPath} does not exist", ScriptPath);
        _loadedSource = File.ReadAllText(ScriptPath);
        _current = ScriptProgram.Load(Name, _loadedSource, _limits, Logger);
        Logger.LogInformation("script {Script} loaded from {Path}", Name, ScriptPath);
        _watcher = new ScriptWatcher(ScriptPath, _limits.ReloadPollInterval, Reload, Logger);
    }

    /// <summary>The full path of the script file.</summary>
    public string ScriptPath { get; }

    /// <summary>How many versions have been loaded (1 after the constructor); grows with each successful reload.</summary>
    public int Generation { get; private set; } = 1;

    internal string Name => System.IO.Path.GetFileName(ScriptPath);
    internal ILogger Logger { get; }
    internal QidTable Qids { get; } = new();
    internal ScriptProgram Current => Volatile.Read(ref _current);

    /// <summary>The script's "/" (every aname attaches there); stat("/") must say it is a directory.</summary>
    public async ValueTask<INode> AttachAsync(AttachRequest request, CancellationToken cancellationToken)
    {
        var stat = await Current.StatAsync("/", measure: false, cancellationToken);
        if (!stat.IsDirectory) throw new StyxErrorException(Errno.ENOTDIR, $"script {Name}: stat(\"/\") must return a directory");
        return new ScriptNode(this, "/", isDirectory: true);
    }

    /// <summary>Loads the file again if its text changed; called by the watcher (events and polling).</summary>
    private void Reload()
    {
        lock (_reloadLock)
        {
            string source;
            try
            {
                source = File.ReadAllText(ScriptPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (_failedSource != "") Logger.LogWarning("script {Script}: cannot read {Path} ({Error}); the loaded version keeps serving", Name, ScriptPath, e.Message);
                _failedSource = "";
                return;
            }
            if (source == _loadedSource || source == _failedSource) return;
            try
            {
                var program = ScriptProgram.Load(Name, source, _limits, Logger);
                // The previous version is not disposed: files it opened keep using it until they are closed.
                Volatile.Write(ref _current, program);
                _loadedSource = source;
                _failedSource = null;
                Generation++;
                Logger.LogInformation("script {Script} reloaded (version {Generation})", Name, Generation);
            }
            catch (ScriptLoadException e)
            {
                _failedSource = source;
                Logger.LogError("script {Script}: reload failed at line {Line}: {Error}; the previous version keeps serving", Name, e.Line, e.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _watcher.DisposeAsync();
        lock (_reloadLock) Current.Dispose();
    }
}
