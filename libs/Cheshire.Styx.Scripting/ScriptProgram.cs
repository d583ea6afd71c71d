using Cheshire.Styx.Protocol;
using Jint;
using Jint.Constraints;
using Jint.Native;
using Jint.Runtime;
using Microsoft.Extensions.Logging;

namespace Cheshire.Styx.Scripting;

/// <summary>
/// One loaded version of a script: its own engine, the API functions it defined, and a lock that lets one call in
/// at a time (Jint engines are not thread-safe). Each call runs under the <see cref="ScriptLimits"/>; a call that
/// breaks one is stopped, logged and answered with an errno naming the limit, and the engine serves the next call.
/// </summary>
internal sealed partial class ScriptProgram : IDisposable
{
    private readonly Engine _engine;
    private readonly OperationDeadlineConstraint _deadline;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly ScriptLimits _limits;
    private readonly ILogger _logger;

    private ScriptProgram(string name, Engine engine, OperationDeadlineConstraint deadline, ScriptLimits limits, ILogger logger)
    {
        Name = name;
        _engine = engine;
        _deadline = deadline;
        _limits = limits;
        _logger = logger;
        LoadedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>The script's file name, used in logs and error texts.</summary>
    public string Name { get; }

    public DateTimeOffset LoadedAt { get; }

    /// <summary>Parses and runs <paramref name="source"/> (its top-level code under the limits) in a new engine.</summary>
    public static ScriptProgram Load(string name, string source, ScriptLimits limits, ILogger logger)
    {
        Prepared<Acornima.Ast.Script> prepared;
        try
        {
            prepared = Engine.PrepareScript(source, name, strict: true);
        }
        catch (ScriptPreparationException e)
        {
            var parse = e.InnerException as Acornima.ParseErrorException;
            throw new ScriptLoadException($"{name}: syntax error: {(parse?.Error?.ToString() ?? e.Message)}",
                parse?.LineNumber ?? 0, parse?.Column ?? 0, e);
        }
        var deadline = new OperationDeadlineConstraint();
        var program = new ScriptProgram(name, ScriptSandbox.Create(limits, deadline, logger, name), deadline, limits, logger);
        deadline.Begin(limits.Timeout, CancellationToken.None);
        try
        {
            program._engine.Execute(prepared);
        }
        catch (Exception e)
        {
            var failure = program.Failure(e, "load", "");
            JintException.TryGetJavaScriptLocation(e, out var location);
            throw new ScriptLoadException($"{name}: top-level code failed: {failure.Message}", location.Start.Line, location.Start.Column, e);
        }
        finally
        {
            deadline.End();
        }
        program.BindFunctions();
        return program;
    }

    /// <summary>Runs <paramref name="body"/> alone in the engine, under one time budget and the request's cancellation.</summary>
    private async ValueTask<T> CallAsync<T>(string operation, string path, Func<T> body, CancellationToken ct)
    {
        // Script code runs synchronously: leave the caller's thread first (the 9P server calls trees from its read
        // loop, which would otherwise read nothing else, not even the Tflush of this call, until the script returns).
        await Task.Yield();
        await _lock.WaitAsync(ct);
        try
        {
            _deadline.Begin(_limits.Timeout, ct);
            try
            {
                return body();
            }
            catch (Exception e) when (e is not StyxErrorException && !(e is OperationCanceledException && ct.IsCancellationRequested))
            {
                throw Failure(e, operation, path);
            }
            finally
            {
                _deadline.End();
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    private async ValueTask CallAsync(string operation, string path, Action body, CancellationToken ct) =>
        await CallAsync(operation, path, () => { body(); return true; }, ct);

    /// <summary>The 9P error for a failed call; limits and script bugs are logged, errno errors are the script's answer.</summary>
    private StyxErrorException Failure(Exception e, string operation, string path)
    {
        if (ScriptErrors.AsLimit(e, _limits) is { } limit)
        {
            _logger.LogWarning("script {Script}: {Operation} {Path} stopped: {Limit}{Where}", Name, operation, path, limit.Message, ScriptErrors.Where(e));
            return new StyxErrorException(limit.Errno, $"script {Name}: {limit.Message}");
        }
        StyxErrorException error;
        if (e is JavaScriptException js)
        {
            try
            {
                error = ScriptErrors.FromThrown(js.Error);
            }
            catch (Exception inner) when (inner is not OperationCanceledException)
            {
                return Failure(inner, operation, path);
            }
            if (error.Errno != Errno.EIO) return error;
        }
        else
        {
            error = new StyxErrorException(Errno.EIO, $"script {Name}: {e.Message}");
        }
        _logger.LogWarning("script {Script}: {Operation} {Path} failed: {Error}{Where}", Name, operation, path, error.Message, ScriptErrors.Where(e));
        return error;
    }

    public void Dispose()
    {
        _engine.Dispose();
        _lock.Dispose();
    }
}
