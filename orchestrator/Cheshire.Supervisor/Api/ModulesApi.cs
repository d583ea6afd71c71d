using System.Diagnostics;
using System.Reflection;
using Cheshire.Protos;
using Cheshire.Protos.Modules;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Cheshire.Supervisor.Api;

/// <summary>The Modules gRPC API: the supervisor's view of the node's modules, and start, stop and restart.</summary>
public sealed class ModulesApi(ModuleSupervisor supervisor, ModuleHealthProbe health, SupervisorIdentity identity, TimeProvider time,
    Starting.ModuleStarter starter, Reload.ModuleReloader reloader, Install.ModuleInstaller installer)
    : Protos.Modules.Modules.ModulesBase
{
    public const string Name = Cheshire.Modules.SupervisorAddress.ServiceName;

    private static readonly string Version =
        typeof(ModulesApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    private static readonly DateTimeOffset StartedAt = new(Process.GetCurrentProcess().StartTime.ToUniversalTime());

    public override Task<ModuleInfo> GetInfo(GetInfoRequest request, ServerCallContext context) =>
        Task.FromResult(new ModuleInfo
        {
            Module = Name,
            Version = Version,
            ProcessId = Environment.ProcessId,
            StartedAt = Timestamp.FromDateTimeOffset(StartedAt),
            Uptime = Duration.FromTimeSpan(time.GetUtcNow() - StartedAt),
            NodeId = identity.NodeId(),
            Salt = identity.Salt,
        });

    public override async Task<ListModulesReply> List(ListModulesRequest request, ServerCallContext context)
    {
        var reply = new ListModulesReply();
        reply.Modules.AddRange(await Task.WhenAll(supervisor.Modules.Select(m => DescribeAsync(m, context.CancellationToken))));
        if (context.GetHttpContext().RequestServices.GetService(typeof(Install.ModuleInstaller)) is Install.ModuleInstaller installer)
            reply.Modules.AddRange(await installer.ListAsync(context.CancellationToken));
        return reply;
    }

    public override Task<ModuleStatus> Get(ModuleRequest request, ServerCallContext context) =>
        Installer(context).Find(request.Name) is { } installed
            ? Installer(context).DescribeAsync(installed, context.CancellationToken)
            : DescribeAsync(Find(request.Name), context.CancellationToken);

    public override Task<ModuleStatus> Start(ModuleRequest request, ServerCallContext context) =>
        Installed(context, request.Name, (i, p, ct) => i.StartAsync(p, restart: false, ct))
        ?? RunAsync(Find(request.Name), supervisor.StartAsync, context.CancellationToken);

    public override Task<ModuleStatus> Stop(ModuleRequest request, ServerCallContext context) =>
        Installed(context, request.Name, (i, p, ct) => i.StopAsync(p, ct))
        ?? RunAsync(Find(request.Name), supervisor.StopAsync, context.CancellationToken);

    public override Task<ModuleStatus> Restart(ModuleRequest request, ServerCallContext context) =>
        Installed(context, request.Name, (i, p, ct) => i.StartAsync(p, restart: true, ct))
        ?? RunAsync(Find(request.Name), supervisor.RestartAsync, context.CancellationToken);

    public override Task<SetModuleConfigReply> SetConfig(SetModuleConfigRequest request, ServerCallContext context) =>
        Installed(context, request.Name, (i, p, ct) => i.SetConfigAsync(p, request, ct))
        ?? Config.ModuleConfigForwarder.SetAsync(Find(request.Name), request, context.CancellationToken);

    public override async Task<ModuleStatus> Ensure(ModuleRequest request, ServerCallContext context)
    {
        if (Installed(context, request.Name, (i, p, ct) => i.StartAsync(p, restart: false, ct)) is { } installed)
            return await installed;
        var module = Find(request.Name);
        try
        {
            await starter.EnsureAsync(module, context.CancellationToken);
        }
        catch (ModuleCommandException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
        catch (Starting.ModuleStartTimeoutException e)
        {
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, e.Message));
        }
        return await DescribeAsync(module, context.CancellationToken);
    }

    public override async Task<ModuleTestReply> Test(ModuleRequest request, ServerCallContext context)
    {
        var installed = Installer(context).Find(request.Name);
        var module = installed?.Descriptor ?? Find(request.Name).Descriptor;
        if (module.Tests is not { } tests)
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"{module.Name} declares no tests (module.json \"tests\")."));
        if (installed is not null)
            return ModuleReloadReport.Of(request.Name, Installer(context).TestProjectOf(module), tests.Filter,
                await Installer(context).TestAsync(installed, context.CancellationToken));
        var outcome = await reloader.TestAsync(module, context.CancellationToken);
        return ModuleReloadReport.Of(request.Name, reloader.TestProjectOf(module), tests.Filter, outcome);
    }

    public override Task<ModuleStatus> SetWatch(SetWatchRequest request, ServerCallContext context)
    {
        if (Installed(context, request.Name, (i, p, ct) =>
            {
                i.SetWatch(p, request.On);
                return i.DescribeAsync(p, ct);
            }) is { } installed)
            return installed;
        var module = Find(request.Name);
        reloader.SetWatch(module.Descriptor.Name, request.On);
        return DescribeAsync(module, context.CancellationToken);
    }

    public override async Task<InstallReply> Install(InstallRequest request, ServerCallContext context)
    {
        var installer = (Install.ModuleInstaller)context.GetHttpContext().RequestServices.GetService(typeof(Install.ModuleInstaller))!;
        try
        {
            return await installer.InstallAsync(request.Path, context.CancellationToken);
        }
        catch (Install.InstallException e)
        {
            throw new RpcException(new Status(e.Code, e.Message));
        }
    }

    public override async Task<UninstallReply> Uninstall(ModuleRequest request, ServerCallContext context)
    {
        try
        {
            return await Installer(context).UninstallAsync(request.Name, context.CancellationToken);
        }
        catch (Install.InstallException e)
        {
            throw new RpcException(new Status(e.Code, e.Message));
        }
    }

    private static Install.ModuleInstaller Installer(ServerCallContext context) =>
        context.GetHttpContext().RequestServices.GetRequiredService<Install.ModuleInstaller>();

    /// <summary>A command on an installed module (null when <paramref name="name"/> is not one), its refusals as gRPC errors.</summary>
    private static Task<T>? Installed<T>(ServerCallContext context, string name,
        Func<Install.ModuleInstaller, Install.InstalledProcess, CancellationToken, Task<T>> command)
    {
        var installer = Installer(context);
        return installer.Find(name) is { } process ? CallAsync(process) : null;

        async Task<T> CallAsync(Install.InstalledProcess installed)
        {
            try
            {
                return await command(installer, installed, context.CancellationToken);
            }
            catch (Install.InstallException e)
            {
                throw new RpcException(new Status(e.Code, e.Message));
            }
        }
    }

    private SupervisedModule Find(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "name is empty: give a module's name, e.g. dht."));
        return supervisor.Find(name) ?? throw new RpcException(new Status(StatusCode.NotFound,
            $"no module named '{name}'; the node's modules: {string.Join(", ", supervisor.Modules.Select(m => m.Name))}."));
    }

    private async Task<ModuleStatus> RunAsync(SupervisedModule module, Func<SupervisedModule, CancellationToken, Task> command,
        CancellationToken cancellationToken)
    {
        try
        {
            await command(module, cancellationToken);
        }
        catch (ModuleCommandException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
        catch (TimeoutException)
        {
            throw new RpcException(new Status(StatusCode.DeadlineExceeded,
                $"{module.Name} did not stop within {ModuleSupervisor.StopTimeout.TotalSeconds} s."));
        }
        return await DescribeAsync(module, cancellationToken);
    }

    private async Task<ModuleStatus> DescribeAsync(SupervisedModule module, CancellationToken cancellationToken)
    {
        var status = ModuleStatusReport.Of(module);
        status.Instances.AddRange(supervisor.Modules.Where(m => m.Descriptor.Name == module.Descriptor.Name).Select(m => m.Name));
        string? url;
        lock (module.Gate)
            url = module.Launched ? module.Url("http") : null;
        (status.Health, status.HealthDetail) = await health.CheckAsync(url, cancellationToken);
        ModuleReloadReport.Fill(status, reloader.StateOf(module.Descriptor.Name), reloader.CurrentBuild(module.Descriptor.Name));
        var configFile = Config.PersistedModuleConfig.PathOf(module);
        status.ConfigFile = configFile ?? "";
        status.Config.AddRange(Config.PersistedModuleConfig.Read(configFile));
        status.Dependents.AddRange(installer.DependentsOf(module.Descriptor.Name));
        return status;
    }
}
