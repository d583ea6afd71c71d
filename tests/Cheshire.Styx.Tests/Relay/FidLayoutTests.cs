using System.Buffers;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Relay;

namespace Cheshire.Styx.Tests.Relay;

public sealed class FidLayoutTests
{
    private static readonly uint[] Marks = [0xA1A1A1A1, 0xB2B2B2B2, 0xC3C3C3C3];

    public static TheoryData<string> RelayedRequests() =>
        [.. SampleMessages.All().Where(m => FidLayout.IsRelayed(m.Type)).Select(m => m.Type.ToString())];

    /// <summary>
    /// Every fid Check finds, rewritten, is what the codec decodes in that message's fid fields (in their order), and
    /// nothing else changed: the offsets of the table are the protocol's.
    /// </summary>
    [Theory]
    [MemberData(nameof(RelayedRequests))]
    public void TheFidsFoundAreTheMessagesFidFields(string type)
    {
        var message = SampleMessages.All().Single(m => m.Type.ToString() == type);
        var frame = StyxMessageWriter.ToArray(message, Dialect.Linux);
        var fields = FidLayout.Check(frame);
        var offsets = new[] { fields.Fid, fields.OtherFid, fields.NewFid }.Where(o => o != FidFields.None).Order().ToArray();
        for (var i = 0; i < offsets.Length; i++) FidLayout.Write(frame, offsets[i], Marks[i]);
        FidLayout.WriteTag(frame, 0x4242);

        var decoded = Decode(frame);
        var fidNames = message.GetType().GetConstructors()[0].GetParameters()
            .Where(p => p.ParameterType == typeof(uint) && p.Name!.EndsWith("Fid", StringComparison.Ordinal)).Select(p => p.Name!).ToArray();
        Assert.Equal(fidNames.Length, offsets.Length);
        for (var i = 0; i < fidNames.Length; i++)
            Assert.Equal(Marks[i], (uint)decoded.GetType().GetProperty(fidNames[i])!.GetValue(decoded)!);
        Assert.Equal((ushort)0x4242, decoded.Tag);
        // Only those bytes changed: putting the client's values back gives the original frame.
        var original = StyxMessageWriter.ToArray(message, Dialect.Linux);
        foreach (var offset in offsets) FidLayout.Write(frame, offset, FidLayout.Read(original, offset));
        FidLayout.WriteTag(frame, message.Tag);
        Assert.Equal(original, frame);
        Assert.Equal(message.Type is MessageType.Tclunk or MessageType.Tremove, fields.FreesFid);
    }

    [Fact]
    public void TwalkSaysHowManyNamesAndTflushItsOldTag()
    {
        Assert.Equal(4, FidLayout.Check(StyxMessageWriter.ToArray(new Twalk(1, 2, 3, ["a", "b", "c", "d"]), Dialect.Linux)).WalkNames);
        Assert.Equal((ushort)77, FidLayout.Check(StyxMessageWriter.ToArray(new Tflush(1, 77), Dialect.Linux)).OldTag);
    }

    [Theory]
    [InlineData(new byte[] { 11, 0, 0, 0, (byte)MessageType.Tclunk, 1, 0, 5, 0, 0 }, "does not match its size")]
    [InlineData(new byte[] { 10, 0, 0, 0, (byte)MessageType.Tclunk, 1, 0, 5, 0, 0 }, "ends inside a field")]
    [InlineData(new byte[] { 12, 0, 0, 0, (byte)MessageType.Tclunk, 1, 0, 5, 0, 0, 0, 9 }, "1 bytes after its last field")]
    [InlineData(new byte[] { 11, 0, 0, 0, (byte)MessageType.Rclunk, 1, 0, 5, 0, 0, 0 }, "not a 9P2000.L request")]
    [InlineData(new byte[] { 11, 0, 0, 0, (byte)MessageType.Topen, 1, 0, 5, 0, 0, 0 }, "not a 9P2000.L request")]
    [InlineData(new byte[] { 17, 0, 0, 0, (byte)MessageType.Twalk, 1, 0, 1, 0, 0, 0, 2, 0, 0, 0, 17, 0 }, "17 names exceeds 16")]
    [InlineData(new byte[] { 24, 0, 0, 0, (byte)MessageType.Twrite, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 9 }, "says 2 bytes of data but carries 1")]
    [InlineData(new byte[] { 14, 0, 0, 0, (byte)MessageType.Trenameat, 1, 0, 1, 0, 0, 0, 9, 0, 65 }, "ends inside a field")]
    public void AMalformedRequestIsAProtocolErrorSayingWhat(byte[] frame, string why)
    {
        var refused = Assert.Throws<StyxProtocolException>(() => FidLayout.Check(frame));
        Assert.Contains(why, refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void HostileFramesAreOnlyEverProtocolErrors(int seed)
    {
        var mutator = new FrameMutator(seed, Dialect.Linux, requestsOnly: true);
        int passed = 0, refused = 0;
        for (var i = 0; i < 40_000; i++)
        {
            var frame = mutator.Next();
            try
            {
                var fields = FidLayout.Check(frame);
                foreach (var offset in new[] { fields.Fid, fields.OtherFid, fields.NewFid }.Where(o => o != FidFields.None))
                    FidLayout.Write(frame, offset, FidLayout.Read(frame, offset) ^ 0x5A5A5A5A);
                Assert.True(FidLayout.IsRelayed(fields.Type));
                passed++;
            }
            catch (StyxProtocolException)
            {
                refused++;
            }
        }
        Assert.True(passed > 1000 && refused > 1000, $"passed {passed}, refused {refused}");
    }

    private static Message Decode(byte[] frame)
    {
        var input = new ReadOnlySequence<byte>(frame);
        var consumed = input.Start;
        var examined = input.End;
        Assert.True(new StyxMessageReader(Dialect.Linux).TryParseMessage(input, ref consumed, ref examined, out var message));
        return message;
    }
}
