namespace Cheshire.Identity.Tests;

public sealed class NetworkSaltTests
{
    [Theory]
    [InlineData(null, NetworkSalt.Default)]
    [InlineData("", NetworkSalt.Default)]
    [InlineData("alice and friends", "alice and friends")]
    public void TheSaltIsTheConfiguredTextOrTheDefault(string? configured, string expected) =>
        Assert.Equal(expected, NetworkSalt.Resolve(configured));

    [Theory]
    [InlineData(" padded", "starts or ends with white space")]
    [InlineData("tab\there", "contains a control character")]
    public void ASaltThatCannotBeTypedBackIsRefusedNamingTheKey(string configured, string reason)
    {
        var error = Assert.Throws<InvalidOperationException>(() => NetworkSalt.Resolve(configured));

        Assert.StartsWith("Cheshire:Salt", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void ATooLongSaltIsRefused() =>
        Assert.Contains("at most 256", Assert.Throws<InvalidOperationException>(() => NetworkSalt.Resolve(new string('s', 257))).Message);
}
