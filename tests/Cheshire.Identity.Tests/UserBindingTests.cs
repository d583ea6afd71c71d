using Cheshire.Identity;

namespace Cheshire.Identity.Tests;

public sealed class UserBindingTests
{
    [Fact]
    public void ABindingProvesTheUidForTheNodeItWasMadeFor()
    {
        using var user = UserIdentity.Generate();
        using var node = NodeIdentity.Generate();

        var binding = UserBinding.FromBytes(UserBinding.Create(user, node.PublicKey).ToBytes());

        Assert.NotNull(binding);
        Assert.True(binding.Verify(node.PublicKey));
        Assert.Equal(user.Uid, binding.Uid);
    }

    [Fact]
    public void ABindingDoesNotVerifyForAnotherNodeOrWhenTampered()
    {
        using var user = UserIdentity.Generate();
        using var node = NodeIdentity.Generate();
        using var other = NodeIdentity.Generate();
        using var impostor = UserIdentity.Generate();
        var binding = UserBinding.Create(user, node.PublicKey);

        Assert.False(binding.Verify(other.PublicKey));
        var flipped = binding.ToBytes();
        flipped[40] ^= 1;
        Assert.False(UserBinding.FromBytes(flipped)!.Verify(node.PublicKey));
        // Another user's key claimed with this user's signature.
        Assert.False((binding with { UserPublicKey = impostor.PublicKey }).Verify(node.PublicKey));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(95)]
    [InlineData(97)]
    public void BytesOfTheWrongLengthAreNoBinding(int length) => Assert.Null(UserBinding.FromBytes(new byte[length]));
}
