namespace Cheshire.Link;

/// <summary>Settings of one link handshake.</summary>
public sealed record LinkOptions
{
    public static readonly LinkOptions Default = new();

    /// <summary>The smallest <see cref="BufferSize"/>: one TLS record (16 KiB of data and its overhead).</summary>
    public const int MinBufferSize = 17 * 1024;

    /// <summary>The largest <see cref="BufferSize"/>.</summary>
    public const int MaxBufferSize = 16 * 1024 * 1024;

    /// <summary>How long the TLS handshake (and the acceptor's confirmation) may take before the link fails with <see cref="LinkFailure.Timeout"/>.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The clock a peer certificate's validity period is checked against.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>
    /// 0 (the default): the link's TLS reads and writes the transport record by record. Otherwise the transport is read
    /// in chunks of up to this many bytes, and after the handshake the records written are sent together when the link's
    /// stream is flushed (<see cref="LinkTransport"/>): data written then leaves on <c>FlushAsync</c> only.
    /// </summary>
    public int BufferSize { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public LinkOptions Validate()
    {
        if (HandshakeTimeout <= TimeSpan.Zero || HandshakeTimeout > TimeSpan.FromHours(1))
            throw new ArgumentException($"LinkOptions.HandshakeTimeout must be more than zero and at most one hour, not {HandshakeTimeout}.");
        if (BufferSize != 0 && (BufferSize < MinBufferSize || BufferSize > MaxBufferSize))
            throw new ArgumentException($"LinkOptions.BufferSize must be 0 (unbuffered) or from {MinBufferSize} to {MaxBufferSize} bytes, not {BufferSize}.");
        if (Clock is null)
            throw new ArgumentException("LinkOptions.Clock must be set.");
        return this;
    }
}
