using System.Globalization;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Scripting.Tests;

/// <summary>The samples of services/styx-provider/samples, served over a real 9P connection.</summary>
public sealed class SampleTests
{
    [Theory]
    [InlineData(DialectNames.Linux)]
    [InlineData(DialectNames.Styx2000)]
    public async Task Clock_reads_the_current_time_and_stat_reports_its_length(string version)
    {
        await using var folder = new ScriptFolder();
        var server = await folder.ServeAsync(folder.Sample("clock.js"));
        await using var client = await PathClient.ConnectAsync(server, version);

        Assert.Equal(["time"], await client.ListAsync(""));
        string text = await client.ReadAsync("time");
        var time = DateTimeOffset.Parse(text.TrimEnd('\n'), CultureInfo.InvariantCulture);
        Assert.InRange(time, DateTimeOffset.UtcNow.AddSeconds(-10), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.EndsWith("\n", text);
        var (length, _) = await client.StatAsync("time");
        Assert.Equal((ulong)System.Text.Encoding.UTF8.GetByteCount(text), length);
        Assert.Equal(Errno.EACCES, (await Assert.ThrowsAsync<StyxErrorException>(() => client.WriteAsync("time", "noon"))).Errno);
    }

    [Theory]
    [InlineData(DialectNames.Linux)]
    [InlineData(DialectNames.Styx2000)]
    public async Task Kv_stores_lists_reads_and_removes_values(string version)
    {
        await using var folder = new ScriptFolder();
        var server = await folder.ServeAsync(folder.Sample("kv.js"));
        await using var client = await PathClient.ConnectAsync(server, version);

        Assert.Empty(await client.ListAsync(""));
        await client.CreateAsync("", "greeting");
        await client.WriteAsync("greeting", "hello, world\n");
        await client.CreateAsync("", "name");
        await client.WriteAsync("name", "cheshire ☺");
        Assert.Equal(["greeting", "name"], (await client.ListAsync("")).Order());
        Assert.Equal("hello, world\n", await client.ReadAsync("greeting"));
        Assert.Equal("cheshire ☺", await client.ReadAsync("name"));
        Assert.Equal(13UL, (await client.StatAsync("greeting")).Length);
        Assert.Equal(12UL, (await client.StatAsync("name")).Length); // UTF-8 bytes

        await client.WriteAsync("greeting", "bye\n"); // opened with truncation: replaces the value
        Assert.Equal("bye\n", await client.ReadAsync("greeting"));
        Assert.Equal(Errno.EEXIST, (await Assert.ThrowsAsync<StyxErrorException>(() => client.CreateAsync("", "name"))).Errno);

        await client.RemoveAsync("greeting");
        Assert.Equal(["name"], await client.ListAsync(""));
        Assert.Equal(Errno.ENOENT, (await Assert.ThrowsAsync<StyxErrorException>(() => client.ReadAsync("greeting"))).Errno);
    }

    [Fact]
    public async Task Kv_serves_many_connections_at_once()
    {
        await using var folder = new ScriptFolder();
        var server = await folder.ServeAsync(folder.Sample("kv.js"));
        var clients = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => PathClient.ConnectAsync(server, DialectNames.Linux)));
        try
        {
            await Task.WhenAll(clients.SelectMany((client, c) => Enumerable.Range(0, 16).Select(async k =>
            {
                await client.CreateAsync("", $"k{c}-{k}");
                await client.WriteAsync($"k{c}-{k}", $"value {c} {k}");
            })));
            Assert.Equal(64, (await clients[0].ListAsync("")).Count);
            foreach (var (client, c) in clients.Select((client, c) => (client, c)))
            {
                for (int k = 0; k < 16; k++) Assert.Equal($"value {c} {k}", await clients[(c + 1) % 4].ReadAsync($"k{c}-{k}"));
            }
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(DialectNames.Linux)]
    [InlineData(DialectNames.Styx2000)]
    public async Task A_file_whose_stat_gives_no_length_reports_the_length_it_reads(string version)
    {
        await using var folder = new ScriptFolder();
        // Longer than one 64 KiB measuring read.
        string script = TestScripts.Flat(["gen"], "return readstr('héllo wörld ' + 'x'.repeat(70000), offset, count);");
        var server = await folder.ServeAsync(folder.Write("gen.js", script));
        await using var client = await PathClient.ConnectAsync(server, version);

        string text = await client.ReadAsync("gen");
        Assert.Equal(70014, System.Text.Encoding.UTF8.GetByteCount(text));
        Assert.Equal(70014UL, (await client.StatAsync("gen")).Length);
    }

    [Fact]
    public async Task Qids_are_unique_per_path_stable_and_leave_the_top_bits_free()
    {
        await using var folder = new ScriptFolder();
        var server = await folder.ServeAsync(folder.Sample("kv.js"));
        await using var client = await PathClient.ConnectAsync(server, DialectNames.Linux);
        foreach (var name in (string[])["a", "b", "c"]) await client.CreateAsync("", name);

        var first = new Dictionary<string, ulong>();
        foreach (var path in (string[])["", "a", "b", "c"]) first[path] = (await client.StatAsync(path)).Qid.Path;
        Assert.Equal(4, first.Values.Distinct().Count());
        Assert.All(first.Values, path => Assert.Equal(0UL, path >> 48));
        foreach (var (path, qid) in first) Assert.Equal(qid, (await client.StatAsync(path)).Qid.Path);
        Assert.True((await client.StatAsync("")).Qid.IsDirectory);
    }
}
