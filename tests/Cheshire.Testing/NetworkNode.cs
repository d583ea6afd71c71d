namespace Cheshire.Testing;

/// <summary>
/// One node of a <see cref="ModuleNetwork"/>: its data folder (one node key for all its modules), its dht on UDP
/// 127.0.0.1:<see cref="DhtPort"/>, its styx-client with links on <see cref="LinkAddress"/>, and styx-provider if it exports.
/// </summary>
public sealed record NetworkNode(string Data, ModuleProcess Dht, int DhtPort, ModuleProcess Client, string LinkAddress, ModuleProcess? Provider)
{
    public string DhtEndpoint => $"127.0.0.1:{DhtPort}";
}
