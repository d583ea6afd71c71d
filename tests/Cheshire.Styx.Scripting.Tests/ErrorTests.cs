using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Scripting.Tests;

/// <summary>Errors a script throws reach the 9P client with their errno.</summary>
public sealed class ErrorTests
{
    private const string Script = """
        function stat(path) {
          if (path === "/") return { type: "dir" };
          if (path === "/missing") throw new Error("ENOENT: no such file");
          if (path === "/plain" || path === "/object" || path === "/number" || path === "/string") return { type: "file", length: 1 };
          return null;
        }
        function readdir(path) { return ["missing", "plain", "object", "number", "string"]; }
        function open(path, mode) {
          if (path === "/object") throw Object.assign(new Error("not for you"), { errno: "EACCES" });
          if (path === "/number") throw { errno: 28, message: "full" };
          if (path === "/string") throw "EBUSY: in use";
          return { path };
        }
        function read(handle, offset, count) { throw new Error("something broke"); }
        """;

    [Theory]
    [InlineData(DialectNames.Linux)]
    [InlineData(DialectNames.Styx2000)]
    [InlineData(DialectNames.Unix)]
    public async Task Thrown_errors_carry_their_errno(string version)
    {
        await using var folder = new ScriptFolder();
        var server = await folder.ServeAsync(folder.Write("errors.js", Script));
        await using var client = await PathClient.ConnectAsync(server, version);

        async Task<StyxErrorException> Fails(string path) => await Assert.ThrowsAsync<StyxErrorException>(() => client.ReadAsync(path));
        Assert.Equal(Errno.ENOENT, (await Fails("missing")).Errno);
        Assert.Equal(Errno.ENOENT, (await Fails("nothing")).Errno); // stat returned null
        Assert.Equal(Errno.EACCES, (await Fails("object")).Errno);
        Assert.Equal(Errno.ENOSPC, (await Fails("number")).Errno);
        Assert.Equal(Errno.EBUSY, (await Fails("string")).Errno);
        Assert.Equal(Errno.EIO, (await Fails("plain")).Errno);
        if (version == DialectNames.Unix)
        {
            Assert.Equal("no such file", (await Fails("missing")).Message);
            Assert.Equal("not for you", (await Fails("object")).Message);
            Assert.Equal("something broke", (await Fails("plain")).Message);
        }
        Assert.Contains(folder.Log.Entries, e => e.Text.Contains("errors.js: read /plain failed: something broke at errors.js:14:"));
    }

    [Fact]
    public async Task Remove_and_create_without_script_support_are_refused()
    {
        await using var folder = new ScriptFolder();
        var server = await folder.ServeAsync(folder.Write("errors.js", Script));
        await using var client = await PathClient.ConnectAsync(server, DialectNames.Linux);
        Assert.Equal(Errno.EROFS, (await Assert.ThrowsAsync<StyxErrorException>(() => client.CreateAsync("", "new"))).Errno);
        Assert.Equal(Errno.EROFS, (await Assert.ThrowsAsync<StyxErrorException>(() => client.RemoveAsync("plain"))).Errno);
        Assert.Equal(Errno.EACCES, (await Assert.ThrowsAsync<StyxErrorException>(() => client.WriteAsync("plain", "x"))).Errno);
    }
}
