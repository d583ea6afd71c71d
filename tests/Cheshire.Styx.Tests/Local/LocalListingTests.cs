using System.Diagnostics;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Tests.Local;

/// <summary>A directory of 100,000 entries is listed completely, each name once, through Treaddir and through 9P2000 Tread.</summary>
public sealed class LocalListingTests(ITestOutputHelper output)
{
    private const int Count = 100_000;

    [Fact]
    public async Task A_huge_directory_is_listed_completely_by_both_dialects()
    {
        await using var export = LocalExport.Start(prepareRoot: root =>
        {
            var big = Directory.CreateDirectory(Path.Combine(root, "big")).FullName;
            for (int i = 0; i < Count; i++) File.Create(Path.Combine(big, $"entry-{i:D6}")).Dispose();
        });
        var expected = Enumerable.Range(0, Count).Select(i => $"entry-{i:D6}").ToHashSet();

        var clock = Stopwatch.StartNew();
        await using (var c = await export.ConnectAsync(msize: 64 * 1024 + 24))
        {
            var names = await c.NamesAsync("/big");
            AssertEveryNameOnce(expected, names);
        }
        output.WriteLine($"Treaddir: {Count} entries in {clock.ElapsedMilliseconds} ms");

        clock.Restart();
        await using (var c = await export.ConnectAsync(DialectNames.Styx2000, msize: 64 * 1024 + 24))
        {
            var dir = await c.WalkAsync("/big");
            await c.Client.OpenAsync(dir, StyxOpenMode.Read);
            var names = new List<string>();
            var buffer = new byte[c.Client.MaxIoSize];
            ulong offset = 0;
            int read;
            while ((read = await c.Client.ReadAsync(dir, offset, buffer)) > 0)
            {
                names.AddRange(StatEntry.ReadDirectory(buffer.AsSpan(0, read), Dialect.Styx2000).Select(s => s.Name));
                offset += (ulong)read;
            }
            AssertEveryNameOnce(expected, names);
        }
        output.WriteLine($"9P2000 Tread: {Count} entries in {clock.ElapsedMilliseconds} ms");
    }

    private static void AssertEveryNameOnce(HashSet<string> expected, IReadOnlyCollection<string> names)
    {
        Assert.Equal(Count, names.Count);
        Assert.True(expected.SetEquals(names), "the listing differs from the directory");
    }
}
