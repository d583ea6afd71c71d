using Jint;
using Jint.Constraints;
using Microsoft.Extensions.Logging;

namespace Cheshire.Styx.Scripting;

/// <summary>
/// Builds the engine a script runs in: strict mode, no CLR access, no module loading, the <see cref="ScriptLimits"/>,
/// guards on built-ins that can allocate without bound in one call, and the few helpers the API documents.
/// </summary>
internal static class ScriptSandbox
{
    /// <summary>Globals that would give a way around the guards or block the thread.</summary>
    private static readonly string[] s_removedGlobals = ["ShadowRealm", "SharedArrayBuffer", "Atomics"];

    public static Engine Create(ScriptLimits limits, OperationDeadlineConstraint deadline, ILogger logger, string scriptName)
    {
        var engine = new Engine(options =>
        {
            options.Strict();
            options.MaxStatements(limits.MaxStatements);
            options.LimitRecursion(limits.MaxRecursion);
            options.LimitMemory(limits.MaxMemory);
            options.Constraint(deadline);
            options.Constraints.RegexTimeout = limits.RegexTimeout;
            options.Constraints.MaxArraySize = (uint)limits.MaxArrayLength;
            options.Constraints.StackOverflowGuard = true;
            options.Interop.Enabled = false;
        });
        foreach (var name in s_removedGlobals) engine.Global.Delete(name);
        BuiltinGuards.Install(engine, limits);
        ScriptHelpers.Install(engine, logger, scriptName);
        return engine;
    }
}
