namespace Cheshire.Link;

/// <summary>Why a link could not be established. <see cref="LinkAuthenticationException.Message"/> has the details.</summary>
public enum LinkFailure
{
    /// <summary>The TLS handshake itself failed: not TLS, not TLS 1.3, no common cipher or ALPN, a TLS alert.</summary>
    Handshake,
    /// <summary>No TLS handshake completed within <see cref="LinkOptions.HandshakeTimeout"/>.</summary>
    Timeout,
    /// <summary>The peer closed the connection before the link was up.</summary>
    Closed,
    /// <summary>The peer presented no certificate.</summary>
    NoCertificate,
    /// <summary>The certificate is outside its validity period (expired or not yet valid).</summary>
    NotTimeValid,
    /// <summary>The certificate carries no Cheshire link extension.</summary>
    NoExtension,
    /// <summary>The extension cannot be parsed (wrong structure, lengths or version).</summary>
    MalformedExtension,
    /// <summary>The node key's signature over the certificate's TLS key does not verify.</summary>
    BadSignature,
    /// <summary>The user key's signature over the node key (the user binding) does not verify.</summary>
    BadBinding,
    /// <summary>The peer proved a node id other than the one the dialer asked for.</summary>
    WrongNodeId,
    /// <summary>The server ended the link after the handshake: it refused this node's certificate.</summary>
    Refused,
}
