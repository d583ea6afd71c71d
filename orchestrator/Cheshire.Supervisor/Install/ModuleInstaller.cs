using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using Cheshire.Identity;
using Cheshire.Modules;
using Cheshire.Protos.Modules;
using Cheshire.Styx.Client;
using Cheshire.Styx.Protocol;
using Cheshire.Supervisor.Api;
using Cheshire.Supervisor.Policy;
using Cheshire.Supervisor.Reload;
using Cheshire.Supervisor.Starting;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cheshire.Supervisor.Install;

/// <summary>
/// Modules.Install: a module package at a path of the node's namespace is read over 9P from styx-root (as the node's
/// user), its owner checked against the trusted uids, copied to DATADIR/modules/NAME, built and tested with the reload
/// pipeline's builder and test runner (<see cref="InstalledBuilder"/>), and started at once as a process the supervisor
/// runs (<see cref="InstalledProcess"/>). At every node start the installed modules are started again from their
/// newest build. A failed install leaves nothing: the folder and the build are removed, no process runs.
/// </summary>
public sealed partial class ModuleInstaller(
    InstallSettings settings,
    InstalledBuilder installed,
    ModuleSupervisor supervisor,
    ModuleStarter starter,
    SupervisorSettings supervisorSettings,
    ReloadSettings reloadSettings,
    SupervisorIdentity identity,
    TimeProvider time,
    ILogger<ModuleInstaller> logger) : BackgroundService
{
    private const string OwnerFileName = ".owner";
    private static readonly string[] ReservedNames = ["tree", "logs"];

    private readonly ConcurrentDictionary<string, InstalledProcess> _running = new();
    private readonly SemaphoreSlim _installing = new(1, 1);
    private readonly ModuleHealthProbe _health =
        new(new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = ModuleHealthProbe.Timeout });
    private string? _nodeUid;

    /// <summary>The node's user: always trusted, and the user styx-root is attached as.</summary>
    public string NodeUid
    {
        get
        {
            if (_nodeUid is null)
            {
                using var user = UserIdentityStore.LoadOrCreate(settings.UserKeyPath);
                _nodeUid = user.Uid;
            }
            return _nodeUid;
        }
    }

    public IReadOnlyCollection<InstalledProcess> Installed => [.. _running.Values];

    public async Task<InstallReply> InstallAsync(string requested, CancellationToken ct)
    {
        var path = PackagePath.Check(requested);
        await _installing.WaitAsync(ct);
        try
        {
            return await InstallLockedAsync(path, ct);
        }
        finally
        {
            _installing.Release();
        }
    }

    private async Task<InstallReply> InstallLockedAsync(string path, CancellationToken ct)
    {
        var trust = new TrustPolicy(settings, NodeUid);
        var copying = Stopwatch.StartNew();
        var staging = Path.Combine(settings.ModulesDirectory, $".staging-{Guid.NewGuid():N}");
        string? target = null;
        InstalledProcess? process = null;
        try
        {
            string owner;
            await using (var fs = await MountNamespaceAsync(ct))
            {
                if (!await ExistsAsync(fs, path, ct))
                    throw new InstallException(StatusCode.NotFound, $"{path} does not exist in the node's namespace.");
                if (!await ExistsAsync(fs, $"{path}/{ModuleDescriptor.FileName}", ct))
                    throw new InstallException(StatusCode.InvalidArgument, $"{path} is not a module package: it has no {ModuleDescriptor.FileName}.");
                owner = await PackageOwner.OfAsync(supervisor.Find("styx-client") is { } client ? Running(client, "grpc") : null, path, NodeUid, ct);
                trust.Check(path, owner);
                await new PackageFetcher(settings).CopyAsync(fs, path.TrimStart('/'), staging, ct);
            }
            var descriptor = Check(LoadDescriptor(staging, path), path);
            target = Path.Combine(settings.ModulesDirectory, descriptor.Name);
            Directory.Move(staging, target);
            File.WriteAllText(Path.Combine(target, OwnerFileName), owner);
            descriptor = ModuleDescriptor.Load(Path.Combine(target, ModuleDescriptor.FileName));
            copying.Stop();

            installed.WriteProps();
            var (build, buildTime, tested) = await BuildAndTestAsync(descriptor, ct);

            var starting = Stopwatch.StartNew();
            process = await StartAsync(descriptor, build, owner, ct);
            if (await process.WaitHealthyAsync(reloadSettings.HealthyTimeout, ct) is { } failure)
                throw new InstallException(StatusCode.FailedPrecondition, $"{descriptor.Name} was built and tested but did not come up: {failure}");
            _running[descriptor.Name] = process;
            Track(descriptor);
            LogInstalled(logger, descriptor.Name, path, owner, build.Id, tested.Summary);
            return new InstallReply
            {
                Name = descriptor.Name, OwnerUid = owner, Directory = target, BuildId = build.Id, Tests = tested.Summary,
                CopyTime = Duration.FromTimeSpan(copying.Elapsed), BuildTime = Duration.FromTimeSpan(buildTime),
                TestTime = Duration.FromTimeSpan(tested.TestTime), StartTime = Duration.FromTimeSpan(starting.Elapsed),
                Status = await DescribeAsync(process, ct),
            };
        }
        catch (Exception e)
        {
            if (process is not null)
                await process.StopAsync();
            InstalledBuilder.Remove(staging);
            if (target is not null)
            {
                InstalledBuilder.Remove(target);
                InstalledBuilder.Remove(Path.Combine(installed.Builds.Directory, Path.GetFileName(target)));
            }
            LogRefused(logger, path, e.Message);
            if (e is InvalidDataException)
                throw new InstallException(StatusCode.InvalidArgument, $"the package at {path} is refused: {e.Message}");
            if (e is StyxErrorException styx)
                throw new InstallException(StatusCode.InvalidArgument, $"{path} cannot be read in the node's namespace: {styx.Message}");
            throw;
        }
    }

    private async Task<(ModuleBuild Build, TimeSpan BuildTime, TestOutcome Tested)> BuildAndTestAsync(ModuleDescriptor descriptor, CancellationToken ct)
    {
        var result = await installed.BuildAndTestAsync(descriptor, "install", [], time.GetUtcNow(), ct);
        if (!result.Passed)
            throw new InstallException(StatusCode.FailedPrecondition, result.Failure(descriptor.Name));
        return (result.Build, result.Built.Elapsed, result.Tested!);
    }

    /// <summary>Starts the module's dependencies (healthy first), then its process with the node's module environment.</summary>
    private async Task<InstalledProcess> StartAsync(ModuleDescriptor descriptor, ModuleBuild build, string owner, CancellationToken ct)
    {
        foreach (var dependency in descriptor.DependsOn)
            if (supervisor.Find(dependency) is { } module)
                await starter.EnsureAsync(module, ct);
        var environment = new Dictionary<string, string>
        {
            ["Cheshire__DataDir"] = reloadSettings.DataDirectory,
            ["Cheshire__UserKey"] = settings.UserKeyPath,
            ["Cheshire__Salt"] = identity.Salt,
            [SupervisorAddress.EnvironmentVariable] = $"http://{supervisorSettings.Endpoint}",
        };
        foreach (var used in descriptor.DependsOn.Concat(descriptor.Uses))
            if (supervisor.Find(used) is { } module)
                foreach (var endpoint in (string[])["grpc", "http"])
                    if (Running(module, endpoint) is { } url)
                        environment[$"services__{used}__{endpoint}__0"] = url;
        var process = new InstalledProcess(descriptor, build, owner, environment,
            LogFileOf(descriptor.Name), new RestartIntensity(supervisorSettings, time), logger);
        process.Start();
        return process;
    }

    /// <summary>Modules.List's entries for the installed modules.</summary>
    public async Task<IReadOnlyList<ModuleStatus>> ListAsync(CancellationToken ct) =>
        await Task.WhenAll(_running.Values.OrderBy(p => p.Descriptor.Name, StringComparer.Ordinal).Select(p => DescribeAsync(p, ct)));

    /// <summary>The installed module running under <paramref name="name"/>, or null.</summary>
    public InstalledProcess? Find(string name) => _running.GetValueOrDefault(name);

    /// <summary>
    /// Modules.Uninstall: stops the installed module and removes its folder, builds and log. A built-in module (one of
    /// the node's graph) is refused: it is not in the module folder.
    /// </summary>
    public async Task<UninstallReply> UninstallAsync(string name, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new InstallException(StatusCode.InvalidArgument, "name is empty: give an installed module's name, e.g. hello.");
        if (supervisor.Find(name) is not null || supervisor.Modules.Any(m => m.Descriptor.Name == name))
            throw new InstallException(StatusCode.FailedPrecondition,
                $"'{name}' is built into the node, not installed: only modules added by Modules.Install can be uninstalled (Modules.Stop stops it).");
        await _installing.WaitAsync(ct);
        try
        {
            // Only a name the folder lists: a name from the caller is never made into a path.
            var folder = InstalledFolders().FirstOrDefault(f => Path.GetFileName(f) == name);
            _running.TryRemove(name, out var process);
            Untrack(name);
            if (folder is null && process is null)
            {
                var names = InstalledFolders().Select(Path.GetFileName).ToList();
                throw new InstallException(StatusCode.NotFound,
                    $"no installed module named '{name}'; installed: {(names.Count == 0 ? "none" : string.Join(", ", names))}.");
            }
            var pid = 0;
            if (process is not null)
            {
                lock (process.Gate)
                    pid = process.Process?.Id ?? 0;
                await process.StopAsync();
            }
            var directory = Path.Combine(settings.ModulesDirectory, name);
            InstalledBuilder.Remove(directory);
            InstalledBuilder.Remove(Path.Combine(installed.Builds.Directory, name));
            if (File.Exists(LogFileOf(name)))
                File.Delete(LogFileOf(name));
            LogUninstalled(logger, name, pid);
            return new UninstallReply { Name = name, Directory = directory, StoppedProcessId = pid };
        }
        finally
        {
            _installing.Release();
        }
    }

    /// <summary>Modules.Stop of an installed module: its process ends and is not restarted until a start.</summary>
    public async Task<ModuleStatus> StopAsync(InstalledProcess process, CancellationToken ct)
    {
        await process.StopAsync();
        return await DescribeAsync(process, ct);
    }

    /// <summary>
    /// Modules.Start, Ensure and Restart of an installed module: started (after a stop, for a restart) with a fresh
    /// restart budget, and waited for until /health answers; a running one is left as it is unless restarted.
    /// </summary>
    public async Task<ModuleStatus> StartAsync(InstalledProcess process, bool restart, CancellationToken ct)
    {
        if (restart)
            await process.StopAsync();
        process.Start();
        if (await process.WaitHealthyAsync(reloadSettings.HealthyTimeout, ct) is { } failure)
            throw new InstallException(StatusCode.FailedPrecondition, $"{process.Descriptor.Name} did not come up: {failure}");
        return await DescribeAsync(process, ct);
    }

    /// <summary>DATADIR/modules/NAME for each installed module (not the logs folder, nor a staging folder).</summary>
    private IEnumerable<string> InstalledFolders() => Directory.Exists(settings.ModulesDirectory)
        ? Directory.EnumerateDirectories(settings.ModulesDirectory)
            .Where(f => Path.GetFileName(f) is var name && !name.StartsWith('.') && !ReservedNames.Contains(name)).Order(StringComparer.Ordinal)
        : [];

    private string LogFileOf(string name) => Path.Combine(settings.ModulesDirectory, "logs", name + ".log");

    public async Task<ModuleStatus> DescribeAsync(InstalledProcess process, CancellationToken ct)
    {
        var status = InstalledStatus.Of(process);
        (status.Health, status.HealthDetail) = await _health.CheckAsync(status.ProcessId == 0 ? null : process.HttpUrl, ct);
        if (status.Health == ModuleHealth.Healthy && status.State == ModuleState.Starting)
        {
            process.Answered();
            status.State = ModuleState.Running;
        }
        if (_reloads.TryGetValue(process.Descriptor.Name, out var reload))
            ModuleReloadReport.Fill(status, reload, process.Build);
        status.ConfigFile = Config.PersistedModuleConfig.PathIn(reloadSettings.DataDirectory, process.Descriptor.Name);
        status.Config.AddRange(Config.PersistedModuleConfig.Read(status.ConfigFile));
        return status;
    }

    /// <summary>At node start: every module installed before runs again from its newest build.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var folder in InstalledFolders())
        {
            try
            {
                var descriptor = ModuleDescriptor.Load(Path.Combine(folder, ModuleDescriptor.FileName));
                if (installed.LatestBuild(descriptor) is not { } build)
                    continue;
                var ownerFile = Path.Combine(folder, OwnerFileName);
                var process = await StartAsync(descriptor, build, File.Exists(ownerFile) ? File.ReadAllText(ownerFile).Trim() : "", stoppingToken);
                _running[descriptor.Name] = process;
                Track(descriptor);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogNotStarted(logger, e, folder);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        foreach (var name in _watchers.Keys)
            Untrack(name);
        await base.StopAsync(cancellationToken);
        await Task.WhenAll(_running.Values.Select(p => p.StopAsync()));
    }

    private ModuleDescriptor Check(ModuleDescriptor descriptor, string path)
    {
        string Refuse(string why) => throw new InstallException(StatusCode.InvalidArgument, $"the package at {path} is refused: {why}.");
        if (ReservedNames.Contains(descriptor.Name))
            Refuse($"'{descriptor.Name}' is reserved for the build tree");
        if (supervisor.Find(descriptor.Name) is not null || supervisor.Modules.Any(m => m.Descriptor.Name == descriptor.Name)
            || _running.ContainsKey(descriptor.Name) || Directory.Exists(Path.Combine(settings.ModulesDirectory, descriptor.Name)))
            throw new InstallException(StatusCode.AlreadyExists,
                $"the node already has a module named '{descriptor.Name}' (from {path}); remove it first or rename the package.");
        if (PackagePath.Inside(descriptor.Directory, descriptor.Project) is not { } project || !File.Exists(project))
            Refuse($"its project '{descriptor.Project}' is not a file inside the package");
        if (descriptor.Tests is { } tests && (PackagePath.Inside(descriptor.Directory, tests.Project) is not { } testProject || !File.Exists(testProject)))
            Refuse($"its tests project '{tests.Project}' is not a file inside the package");
        if (descriptor.Instances != 1 || descriptor.Endpoints.Count > 0)
            Refuse("an installed module runs one instance on its gRPC and health ports (no \"instances\", no fixed \"endpoints\")");
        if (descriptor.DependsOn.Concat(descriptor.Uses).FirstOrDefault(d => supervisor.Modules.All(m => m.Descriptor.Name != d)) is { } missing)
            Refuse($"it depends on '{missing}', which this node does not run");
        return descriptor;
    }

    private static ModuleDescriptor LoadDescriptor(string staging, string path)
    {
        var file = Path.Combine(staging, ModuleDescriptor.FileName);
        if (!File.Exists(file))
            throw new InstallException(StatusCode.InvalidArgument, $"{path} is not a module package: it has no {ModuleDescriptor.FileName}.");
        return ModuleDescriptor.Load(file);
    }

    /// <summary>One 9P connection to styx-root (started first if it is not), attached as the node's user.</summary>
    private async Task<StyxFs> MountNamespaceAsync(CancellationToken ct)
    {
        var root = supervisor.Find("styx-root")
            ?? throw new InstallException(StatusCode.FailedPrecondition, "the node has no styx-root: packages are read from its namespace.");
        await starter.EnsureAsync(root, ct);
        if (Running(root, "styx") is not { } url || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
            throw new InstallException(StatusCode.FailedPrecondition, "styx-root runs but shows no styx endpoint.");
        var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(uri.Host, uri.Port, ct);
            return await StyxFs.MountAsync(tcp.GetStream(), uname: NodeUid, ct: ct);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    private static async Task<bool> ExistsAsync(StyxFs fs, string path, CancellationToken ct)
    {
        try
        {
            var fid = await fs.WalkAsync(path.TrimStart('/'), ct);
            await fs.Client.ClunkAsync(fid, ct);
            return true;
        }
        catch (StyxErrorException)
        {
            return false;
        }
    }

    private static string? Running(SupervisedModule module, string endpoint)
    {
        lock (module.Gate)
            return module.Launched ? module.Url(endpoint) : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Installed module {Module} from {Path} (owner {Owner}), build {BuildId}: {Tests}")]
    private static partial void LogInstalled(ILogger logger, string module, string path, string owner, string buildId, string tests);

    [LoggerMessage(Level = LogLevel.Information, Message = "Uninstalled module {Module} (stopped process {Pid})")]
    private static partial void LogUninstalled(ILogger logger, string module, int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Install of {Path} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Installed module in {Folder} could not be started")]
    private static partial void LogNotStarted(ILogger logger, Exception exception, string folder);
}
