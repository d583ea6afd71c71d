using Cheshire.Identity;
using Cheshire.Link;
using Cheshire.ServiceDefaults;

namespace Cheshire.StyxClient.Extensions;

public static class LinkCredentialsExtensions
{
    /// <summary>
    /// The node's link certificate (node key + the user's binding, renewed as it ages), shared by both sides of links:
    /// the listener (<see cref="LinkServerExtensions.AddLinkServer"/>) and the dialer (<see cref="ImportsExtensions.AddImports"/>).
    /// </summary>
    public static WebApplicationBuilder AddLinkCredentials(this WebApplicationBuilder builder)
    {
        builder.AddUserIdentity();
        builder.Services.AddSingleton(s => new LinkCredentialsSource(s.GetRequiredService<NodeIdentity>(), s.GetRequiredService<UserIdentity>()));
        return builder;
    }
}
