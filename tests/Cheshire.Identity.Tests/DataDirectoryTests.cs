namespace Cheshire.Identity.Tests;

public sealed class DataDirectoryTests
{
    [Fact]
    public void TheDataFolderIsCreated()
    {
        var path = Path.Combine(Path.GetTempPath(), "cheshire-datadir-" + Guid.NewGuid().ToString("N"), "node");
        try
        {
            Assert.Equal(path, DataDirectory.Create(path));
            Assert.True(Directory.Exists(path));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void ADataFolderThatCannotBeCreatedIsRefusedNamingTheKey()
    {
        var file = Path.GetTempFileName();
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => DataDirectory.Create(Path.Combine(file, "node")));

            Assert.StartsWith($"Cheshire:DataDir '{Path.Combine(file, "node")}' cannot be created", error.Message);
            Assert.Contains($"Cheshire:DataDir '{file}' cannot be created", Assert.Throws<InvalidOperationException>(() => DataDirectory.Create(file)).Message);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
