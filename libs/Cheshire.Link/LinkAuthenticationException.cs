using System.Security.Authentication;

namespace Cheshire.Link;

/// <summary>A link that could not be established; <see cref="Failure"/> says which check failed, the message says exactly why.</summary>
public sealed class LinkAuthenticationException(LinkFailure failure, string message, Exception? inner = null)
    : AuthenticationException(message, inner)
{
    public LinkFailure Failure { get; } = failure;
}
