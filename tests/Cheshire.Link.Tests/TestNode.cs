using System.Security.Cryptography;
using Cheshire.Identity;

namespace Cheshire.Link.Tests;

/// <summary>A node key, the user it acts for and its link credentials.</summary>
internal sealed class TestNode : IDisposable
{
    private readonly bool _ownsUser;

    public TestNode(UserIdentity? user = null)
    {
        _ownsUser = user is null;
        Node = NodeIdentity.Generate();
        User = user ?? UserIdentity.Generate();
        Credentials = LinkCredentials.Create(Node, User);
    }

    public NodeIdentity Node { get; }
    public UserIdentity User { get; }
    public LinkCredentials Credentials { get; }

    public UserBinding Binding => UserBinding.Create(User, Node.PublicKey);

    /// <summary>
    /// A certificate built by hand: the extension claims <paramref name="claimed"/>'s key, but <paramref name="signer"/> signs the
    /// TLS key, with <paramref name="binding"/> and the given validity. With all defaults it is a correct certificate.
    /// </summary>
    public LinkCredentials Forge(NodeIdentity? claimed = null, NodeIdentity? signer = null, UserBinding? binding = null,
        DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var tlsKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = tlsKey.ExportSubjectPublicKeyInfo();
        var extension = new LinkExtension((claimed ?? Node).PublicKey, (signer ?? Node).Sign(LinkExtension.SignedData(spki)), binding ?? Binding);
        var now = DateTimeOffset.UtcNow;
        return LinkCredentials.FromCertificate(
            LinkCertificate.Create(tlsKey, extension, notBefore ?? now.AddHours(-1), notAfter ?? now.AddDays(1)));
    }

    public void Dispose()
    {
        Credentials.Dispose();
        Node.Dispose();
        if (_ownsUser) User.Dispose();
    }
}
