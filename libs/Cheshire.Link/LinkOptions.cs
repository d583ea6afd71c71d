namespace Cheshire.Link;

/// <summary>Settings of one link handshake.</summary>
public sealed record LinkOptions
{
    public static readonly LinkOptions Default = new();

    /// <summary>How long the TLS handshake (and the acceptor's confirmation) may take before the link fails with <see cref="LinkFailure.Timeout"/>.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The clock a peer certificate's validity period is checked against.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public LinkOptions Validate()
    {
        if (HandshakeTimeout <= TimeSpan.Zero || HandshakeTimeout > TimeSpan.FromHours(1))
            throw new ArgumentException($"LinkOptions.HandshakeTimeout must be more than zero and at most one hour, not {HandshakeTimeout}.");
        if (Clock is null)
            throw new ArgumentException("LinkOptions.Clock must be set.");
        return this;
    }
}
