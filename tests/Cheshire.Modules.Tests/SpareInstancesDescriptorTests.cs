using Cheshire.Modules;

namespace Cheshire.Modules.Tests;

/// <summary>module.json "spareInstances": read, defaulting to none, and a negative count refused naming the file.</summary>
public sealed class SpareInstancesDescriptorTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("cheshire-spares-");

    private string Write(string json)
    {
        var path = Path.Combine(_folder.FullName, ModuleDescriptor.FileName);
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void SparesAreReadBesideTheInstancesAndDefaultToNone()
    {
        Assert.Equal(0, ModuleDescriptor.Load(Write("""{ "name": "x", "project": "x.csproj" }""")).SpareInstances);

        var descriptor = ModuleDescriptor.Load(Write("""{ "name": "x", "project": "x.csproj", "instances": 2, "spareInstances": 1 }"""));

        Assert.Equal(2, descriptor.Instances);
        Assert.Equal(1, descriptor.SpareInstances);
    }

    [Fact]
    public void ANegativeSpareCountIsRefused()
    {
        var path = Write("""{ "name": "x", "project": "x.csproj", "spareInstances": -1 }""");

        var error = Assert.Throws<InvalidDataException>(() => ModuleDescriptor.Load(path));

        Assert.Equal($"{path}: spareInstances is -1; it cannot be negative.", error.Message);
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
