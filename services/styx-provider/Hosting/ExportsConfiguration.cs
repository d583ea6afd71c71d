using System.Threading.Channels;
using Cheshire.Identity;
using Cheshire.StyxProvider.Config;
using Cheshire.StyxProvider.Servers;

namespace Cheshire.StyxProvider.Hosting;

/// <summary>
/// Owns the exports file: loads it at start, reloads it when it changes (a bad file is rejected and logged, the
/// running servers stay), and applies changes made through the Provider API by writing the file back atomically.
/// </summary>
public sealed class ExportsConfiguration : BackgroundService
{
    /// <summary>Namespace paths of the node's own trees, which no server may take.</summary>
    public static readonly IReadOnlySet<string> ReservedPaths = new HashSet<string>(StringComparer.Ordinal)
        { "/cheshire", "/dht", "/mainline", "/modules" };

    private readonly ProviderSettings _settings;
    private readonly ServerRegistry _registry;
    private readonly ILogger<ExportsConfiguration> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public ExportsConfiguration(ProviderSettings settings, ServerRegistry registry, UserIdentity user, ILogger<ExportsConfiguration> logger)
    {
        _settings = settings;
        _registry = registry;
        _logger = logger;
        Uid = user.Uid;
        Validator = new ServerValidator(Path.GetDirectoryName(settings.ConfigFile)!,
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ReservedPaths, user.Uid);
    }

    /// <summary>The node's user, owner of every server.</summary>
    public string Uid { get; }

    public ServerValidator Validator { get; }

    public string FilePath => _settings.ConfigFile;

    /// <summary>Why the file on disk was last rejected; null when it is in use.</summary>
    public string? LastError { get; private set; }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _logger.LogInformation("Serving for user {Uid}", Uid);
        await ReloadAsync(cancellationToken); // the servers are there before the listener takes connections
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var directory = Path.GetDirectoryName(_settings.ConfigFile)!;
        Directory.CreateDirectory(directory);
        using var watcher = new FileSystemWatcher(directory, Path.GetFileName(_settings.ConfigFile))
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        FileSystemEventHandler changed = (_, _) => _changes.Writer.TryWrite(true);
        watcher.Changed += changed;
        watcher.Created += changed;
        watcher.Deleted += changed;
        watcher.Renamed += (_, _) => _changes.Writer.TryWrite(true);
        watcher.EnableRaisingEvents = true;
        await ReloadAsync(stoppingToken); // a change between the first load and the watcher

        while (await _changes.Reader.WaitToReadAsync(stoppingToken))
        {
            // Editors write in several steps: wait until the file has been quiet for a moment.
            do
            {
                _changes.Reader.TryRead(out _);
                await Task.Delay(TimeSpan.FromMilliseconds(150), stoppingToken);
            } while (_changes.Reader.TryRead(out _));
            await ReloadAsync(stoppingToken);
        }
    }

    /// <summary>Reads the file and runs what it says; a bad file is logged and changes nothing.</summary>
    public async Task ReloadAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            IReadOnlyList<ServerDefinition> definitions;
            try
            {
                definitions = ExportsFile.Load(_settings.ConfigFile, Validator);
            }
            catch (ExportsFileException e)
            {
                if (LastError != e.Message)
                    _logger.LogError("Exports file rejected, the running servers stay as they were: {Error}", e.Message);
                LastError = e.Message;
                return;
            }
            LastError = null;
            await _registry.ApplyAsync(definitions, Validator, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Adds or replaces the server at <paramref name="entry"/>'s path; validated like the file, then written back.</summary>
    public Task<ServerDefinition> AddAsync(string path, RawEntry entry, CancellationToken ct) =>
        ChangeAsync(current =>
        {
            var definition = Validator.Validate(entry, Location.Api(path));
            return ([.. current.Where(d => d.Path != path), definition], definition);
        }, ct);

    /// <summary>Removes the server at <paramref name="path"/>; false if the file has none there.</summary>
    public async Task<bool> RemoveAsync(string path, CancellationToken ct)
    {
        try
        {
            await ChangeAsync(current => current.Any(d => d.Path == path)
                ? ([.. current.Where(d => d.Path != path)], null)
                : throw new KeyNotFoundException(path), ct);
            return true;
        }
        catch (KeyNotFoundException)
        {
            return false;
        }
    }

    private async Task<ServerDefinition> ChangeAsync(
        Func<IReadOnlyList<ServerDefinition>, (List<ServerDefinition> Next, ServerDefinition? Result)> change, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            IReadOnlyList<ServerDefinition> current;
            try
            {
                current = ExportsFile.Load(_settings.ConfigFile, Validator);
            }
            catch (ExportsFileException e)
            {
                throw new InvalidOperationException($"the exports file has an error; fix it first: {e.Message}", e);
            }
            var (next, result) = change(current);
            ExportsFileWriter.Save(_settings.ConfigFile, next);
            LastError = null;
            await _registry.ApplyAsync(next, Validator, ct);
            return result!;
        }
        finally
        {
            _gate.Release();
        }
    }
}
