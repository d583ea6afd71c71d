namespace Cheshire.Styx.Scripting.Tests;

/// <summary>The size guards on built-ins leave their JavaScript behaviour as it was.</summary>
public sealed class GuardTests
{
    [Theory]
    [InlineData("'ab'.repeat(3)", "ababab")]
    [InlineData("'5'.padStart(3, '0') + '|' + '5'.padEnd(3) + '|'", "005|5  |")]
    [InlineData("'a'.concat(1, null, [2, 3])", "a1null2,3")]
    [InlineData("'a-b-c'.replace('-', '+') + ' ' + 'a-b-c'.replaceAll('-', '[$&]')", "a+b-c a[-]b[-]c")]
    [InlineData("'abcb'.replace(/b/g, m => m.toUpperCase()) + ' ' + 'abc'.replace(/(b)/, '<$1>')", "aBcB a<b>c")]
    [InlineData("[1, [2, 3], null, undefined, 'x'].join('|')", "1|2,3|||x")]
    [InlineData("(() => { const a = [1]; a.push(a); return a.join() + ';' + String(a); })()", "1,;1,")]
    [InlineData("Array.prototype.join.call('abc', '-') + ' ' + Array.prototype.join.call({ length: 2, 0: 'x' })", "a-b-c x,")]
    [InlineData("[1.5, 2].toLocaleString()", "1.5,2")]
    [InlineData("JSON.stringify({ a: [1, 'x\"', { c: null }] }, null, 1)", "{\n \"a\": [\n  1,\n  \"x\\\"\",\n  {\n   \"c\": null\n  }\n ]\n}")]
    [InlineData("JSON.stringify({ a: 1, b: 2, c: 3 }, ['c', 'a'])", "{\"c\":3,\"a\":1}")]
    [InlineData("JSON.stringify({ k: 1, d: new Date(0) }, (k, v) => typeof v === 'number' ? v * 2 : v)", "{\"k\":2,\"d\":\"1970-01-01T00:00:00.000Z\"}")]
    [InlineData("new Uint8Array([1, 2]).join('-') + ' ' + new Uint8Array([3, 4]).toLocaleString()", "1-2 3,4")]
    [InlineData("new (class X extends Uint8Array {})(2) instanceof Uint8Array", "true")]
    [InlineData("Uint8Array.from([1, 2, 3]).slice(1).length + ' ' + new Uint8Array(4).subarray(1).length", "2 3")]
    [InlineData("new Uint8Array(2).constructor === Uint8Array && new ArrayBuffer(2).constructor === ArrayBuffer", "true")]
    [InlineData("new ArrayBuffer(8).transfer(4).byteLength + ' ' + new Float64Array(new ArrayBuffer(16)).length", "4 2")]
    [InlineData("utf8(utf8('ünï')) + ' ' + utf8('ü').length + ' ' + utf8(readstr('héllo', 1, 3))", "ünï 2 él")]
    public async Task Guarded_built_ins_behave_as_in_JavaScript(string expression, string expected)
    {
        await using var folder = new ScriptFolder();
        var server = await folder.ServeAsync(folder.Write("probe.js", TestScripts.Flat(["probe"], $"return readstr(String({expression}), offset, count);")));
        await using var client = await PathClient.ConnectAsync(server, Protocol.DialectNames.Linux);
        Assert.Equal(expected, await client.ReadAsync("probe"));
    }
}
