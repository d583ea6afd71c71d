using System.Text;
using Cheshire.Mainline.Bencode;

namespace Cheshire.Mainline.Tests;

public class BencodeTests
{
    private static BValue Decode(string text, BencodeOptions? options = null) => BencodeReader.Decode(Encoding.ASCII.GetBytes(text), options);

    private static string Encode(BValue value) => Encoding.ASCII.GetString(value.Encode());

    [Theory]
    [InlineData("i0e")]
    [InlineData("i42e")]
    [InlineData("i-42e")]
    [InlineData("i9223372036854775807e")]
    [InlineData("i-9223372036854775808e")]
    [InlineData("0:")]
    [InlineData("4:spam")]
    [InlineData("le")]
    [InlineData("de")]
    [InlineData("l4:spami42ee")]
    [InlineData("d3:bar4:spam3:fooi42ee")]
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe")]
    [InlineData("d4:listl1:ai1eld1:xleeee4:zzzzdee")]
    public void CanonicalInputRoundTripsByteForByte(string text)
    {
        var value = Decode(text, BencodeOptions.Strict);
        Assert.Equal(text, Encode(value));
        Assert.Equal(text, Encoding.ASCII.GetString(value.Raw.Span));
    }

    [Fact]
    public void DecodedValuesHaveTheRightShape()
    {
        var d = (BDictionary)Decode("d3:bar4:spam3:fooi42e4:listli-1e0:ee");
        Assert.Equal("spam", d.Get<BString>("bar")!.Text);
        Assert.Equal(42, d.Get<BInteger>("foo")!.Value);
        var list = d.Get<BList>("list")!;
        Assert.Equal(-1, ((BInteger)list[0]).Value);
        Assert.Equal(0, ((BString)list[1]).Length);
        Assert.Equal("i42e", Encoding.ASCII.GetString(d["foo"].Raw.Span));
    }

    [Fact]
    public void StringsAreSlicesOfTheInput()
    {
        var input = Encoding.ASCII.GetBytes("l5:helloe");
        var list = (BList)BencodeReader.Decode(input);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(((BString)list[0]).Value, out var segment));
        Assert.Same(input, segment.Array);
        Assert.Equal(3, segment.Offset);
    }

    [Fact]
    public void EncoderSortsKeysByRawBytes()
    {
        var d = new BDictionary { ["zeta"] = new BInteger(1), ["alpha"] = (BString)"a", ["Beta"] = new BList() };
        d.Set(new byte[] { 0xff }, new BInteger(2));
        d.Set(new byte[] { 0x00 }, new BInteger(3));
        Assert.Equal("d1:\u0000i3e4:Betale5:alpha1:a4:zetai1e1:\u00ffi2ee", Encoding.Latin1.GetString(d.Encode()));
    }

    [Fact]
    public void BuiltValuesEncode()
    {
        var v = new BList([new BInteger(-7), BString.From("héllo"), new BDictionary()]);
        Assert.Equal("li-7e6:héllodee", Encoding.UTF8.GetString(v.Encode()));
    }

    [Fact]
    public void LenientModeAcceptsUnsortedKeysAndReencodesCanonically()
    {
        var value = Decode("d1:bi1e1:ai2ee");
        Assert.Equal("d1:ai2e1:bi1ee", Encode(value));
        Assert.Equal("d1:bi1e1:ai2ee", Encoding.ASCII.GetString(value.Raw.Span));
    }

    [Theory]
    [InlineData("", "end of input")]
    [InlineData("i", "end of input")]
    [InlineData("i42", "end of input")]
    [InlineData("ie", "without digits")]
    [InlineData("i-e", "without digits")]
    [InlineData("i03e", "leading zero")]
    [InlineData("i-0e", "negative zero")]
    [InlineData("i-03e", "leading zero")]
    [InlineData("i+3e", "without digits")]
    [InlineData("i1.5e", "not terminated")]
    [InlineData("i9223372036854775808e", "too large")]
    [InlineData("i-9223372036854775809e", "too small")]
    [InlineData("i99999999999999999999999999e", "too large")]
    [InlineData("5:abc", "past the end")]
    [InlineData("03:abc", "leading zero")]
    [InlineData("3abc", "not followed by ':'")]
    [InlineData("9999999999:a", "too large")]
    [InlineData("l", "end of input")]
    [InlineData("li1e", "end of input")]
    [InlineData("d", "end of input")]
    [InlineData("d1:a", "end of input")]
    [InlineData("di1ei2ee", "not a string")]
    [InlineData("d1:ai1e1:ai2ee", "duplicate")]
    [InlineData("i1ei2e", "trailing data")]
    [InlineData("x", "unexpected byte")]
    [InlineData("e", "unexpected byte")]
    public void MalformedInputIsRejected(string text, string reason)
    {
        var e = Assert.Throws<BencodeException>(() => Decode(text));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void StrictModeRejectsUnsortedKeys()
    {
        var e = Assert.Throws<BencodeException>(() => Decode("d1:bi1e1:ai2ee", BencodeOptions.Strict));
        Assert.Contains("out of order", e.Message);
    }

    [Fact]
    public void DeepNestingIsRejectedWithoutStackOverflow()
    {
        var deep = new string('l', 1_000_000) + new string('e', 1_000_000);
        var e = Assert.Throws<BencodeException>(() => BencodeReader.Decode(Encoding.ASCII.GetBytes(deep), BencodeOptions.Default with { MaxInputLength = 4_000_000 }));
        Assert.Contains("nesting", e.Message);
        Assert.Throws<BencodeException>(() => Decode(new string('d', 40) + "e"));
    }

    [Fact]
    public void LimitsOnSizeAndValueCountHold()
    {
        Assert.Throws<BencodeException>(() => BencodeReader.Decode(new byte[70_000]));
        var many = "l" + string.Concat(Enumerable.Repeat("i1e", 20_000)) + "e";
        Assert.Contains("values", Assert.Throws<BencodeException>(() => Decode(many)).Message);
    }

    [Fact]
    public void RawValueIsWrittenVerbatimAndMustBeValid()
    {
        var raw = new BRaw(Encoding.ASCII.GetBytes("d1:bi1e1:ai2ee"));
        var list = new BList([raw]);
        Assert.Equal("ld1:bi1e1:ai2eee", Encode(list));
        Assert.Throws<BencodeException>(() => new BRaw(Encoding.ASCII.GetBytes("d1:a")));
    }
}
