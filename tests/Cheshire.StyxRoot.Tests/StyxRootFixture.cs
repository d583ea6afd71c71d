namespace Cheshire.StyxRoot.Tests;

/// <summary>One styx-root process shared by a test class.</summary>
public sealed class StyxRootFixture : IAsyncLifetime
{
    public StyxRootProcess Module { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Module = StyxRootProcess.Start();
        await Module.WaitHealthyAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
    }

    public ValueTask DisposeAsync() => Module.DisposeAsync();
}
