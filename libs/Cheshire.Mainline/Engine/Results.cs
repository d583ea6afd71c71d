using System.Net;
using Cheshire.Mainline.Krpc;

namespace Cheshire.Mainline.Engine;

/// <summary>Outcome of <see cref="MainlineNode.AnnounceAsync"/>: peers seen during the lookup and how many nodes stored us.</summary>
public sealed record AnnounceResult(NodeId Infohash, IReadOnlyList<IPEndPoint> Peers, int NodesAnnounced);

/// <summary>Outcome of a BEP 44 put: how many of the closest nodes stored the item, and the errors the others sent.</summary>
public sealed record PutResult(NodeId Target, int Stored, IReadOnlyList<KrpcException> Errors);

/// <summary>A BEP 51 sample_infohashes reply.</summary>
public sealed record SampleResult(NodeContact Node, int Interval, int Count, IReadOnlyList<NodeId> Samples, IReadOnlyList<NodeContact> Nodes);
