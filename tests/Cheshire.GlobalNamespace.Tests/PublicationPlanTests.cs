namespace Cheshire.GlobalNamespace.Tests;

public sealed class PublicationPlanTests
{
    [Fact]
    public void AnExportIsPublishedUnderItsParentAndEveryAncestorUnderItsOwnParent()
    {
        var plan = PublicationPlan.For("/a/b/c");

        Assert.Equal(
            [new Publication("/a/b", "c", EntryKind.Export), new Publication("/a", "b", EntryKind.Directory), new Publication("/", "a", EntryKind.Directory)],
            plan);
        Assert.Equal(["/a/b/c", "/a/b", "/a"], plan.Select(p => p.ChildPath));
        Assert.Equal(DirectoryKey.For("/a/b", "net"), plan[0].Key("net"));
        Assert.Equal(DirectoryKey.For("/", "net"), plan[2].Key("net"));
    }

    [Fact]
    public void AnExportAtTheTopIsOneEntryOfTheRoot() =>
        Assert.Equal([new Publication("/", "alice", EntryKind.Export)], PublicationPlan.For("/alice/"));

    [Fact]
    public void TheRootItselfCannotBeExported()
    {
        var error = Assert.Throws<ArgumentException>(() => PublicationPlan.For("/"));
        Assert.Contains("'/' cannot be exported", error.Message);
    }

    [Fact]
    public void ARelativeExportPathIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => PublicationPlan.For("alice/music"));
        Assert.Contains("starts with '/'", error.Message);
    }
}
