namespace Cheshire.Interop.Tests.Harness;

/// <summary>
/// A <see cref="ProviderNodeHost"/> (styx-root, styx-provider with /home/export and /clock, a lone dht) with styx-root's
/// 9P port mounted by 9pfuse. When 9pfuse is not built nothing is started and <see cref="Require"/> skips the test.
/// </summary>
public sealed class FuseMountedNode : IAsyncLifetime
{
    private string _missing = "";
    private ProviderNodeHost? _node;
    private NinePFuse? _fuse;

    /// <summary>The node and its 9pfuse mount, or a skip naming what is missing.</summary>
    public (ProviderNodeHost Node, NinePFuse Fuse) Require()
    {
        if (_node is null || _fuse is null)
        {
            Assert.Skip(_missing);
        }
        return (_node, _fuse);
    }

    public async ValueTask InitializeAsync()
    {
        var binary = NinePFuse.TryLocate(out _missing);
        if (binary is null)
        {
            return;
        }
        _node = new ProviderNodeHost();
        await _node.InitializeAsync();
        _fuse = await NinePFuse.MountAsync(binary, _node.StyxPort);
    }

    /// <summary>Both sides' output, for failure messages.</summary>
    public string Describe() => $"{_fuse?.Describe()}\n\n{_node?.Describe()}";

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_fuse is not null)
            {
                await _fuse.DisposeAsync();
            }
        }
        finally
        {
            if (_node is not null)
            {
                await _node.DisposeAsync();
            }
        }
    }
}
