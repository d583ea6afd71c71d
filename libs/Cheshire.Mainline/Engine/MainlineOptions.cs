using System.Net;
using Cheshire.Mainline.Routing;
using Cheshire.Mainline.Security;
using Cheshire.Mainline.Storage;

namespace Cheshire.Mainline.Engine;

/// <summary>Everything a host can configure. Bootstrap endpoints are not here: they are passed to BootstrapAsync.</summary>
public sealed record MainlineOptions
{
    /// <summary>The node id; null = BEP 42 id from <see cref="ExternalAddress"/> if known, else random.</summary>
    public NodeId? NodeId { get; init; }

    /// <summary>The node's public IP if known (used for a BEP 42 id).</summary>
    public IPAddress? ExternalAddress { get; init; }

    /// <summary>BEP 43 read-only mode: queries carry <c>ro=1</c>, incoming queries are not answered.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Lookup parallelism.</summary>
    public int Alpha { get; init; } = 3;

    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Token secret rotation (BEP 5 suggests 5 minutes; the previous secret stays valid).</summary>
    public TimeSpan TokenRotation { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Period of the background maintenance (pings, refresh, expiry). Zero disables the loop.</summary>
    public TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>BEP 51 <c>interval</c>: seconds a requester should wait before sampling this node again.</summary>
    public int SampleInterval { get; init; } = 300;

    /// <summary>BEP 51: infohashes per sample.</summary>
    public int MaxSamples { get; init; } = 20;

    /// <summary>KRPC <c>v</c>: two client letters and two version bytes.</summary>
    public ReadOnlyMemory<byte> ClientVersion { get; init; } = new byte[] { (byte)'C', (byte)'S', 0, 1 };

    public RoutingTableOptions Routing { get; init; } = new();
    public PeerStoreOptions Peers { get; init; } = new();
    public ItemStoreOptions Items { get; init; } = new();
    public RateLimitOptions RateLimits { get; init; } = new();

    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
