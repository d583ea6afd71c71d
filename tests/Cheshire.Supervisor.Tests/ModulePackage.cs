namespace Cheshire.Supervisor.Tests;

/// <summary>
/// A small real module package as another node would export it: module.json, a web project on ServiceDefaults (health,
/// ModuleConfig, GET /greeting, and the module contract's GetInfo on its own gRPC service hello.Greeter), and a test
/// project with one fast test that module.json declares. Projects reference Cheshire's through $(CheshireRoot), which the
/// installing node defines for DATADIR/modules.
/// </summary>
public static class ModulePackage
{
    public const string Greeting = "hello from an installed module";

    /// <summary>The gRPC service (hello.proto) whose GetInfo answers for the module.</summary>
    public const string GrpcService = "hello.Greeter";

    /// <summary>
    /// Writes the package NAME into <paramref name="folder"/>/NAME; <paramref name="program"/> replaces Program.cs (e.g. one
    /// that does not compile), <paramref name="test"/> the body of its one test.
    /// </summary>
    public static string Write(string folder, string name, string? program = null, string? test = null)
    {
        var root = Path.Combine(folder, name);
        Directory.CreateDirectory(Path.Combine(root, "tests"));
        File.WriteAllText(Path.Combine(root, "module.json"), $$"""
            {
              "name": "{{name}}",
              "project": "Hello.csproj",
              "description": "A module installed from the namespace",
              "tests": { "project": "tests/Hello.Tests.csproj", "filter": "/*/Hello.Tests/GreetingTests/*" },
              "watch": false
            }
            """);
        File.WriteAllText(Path.Combine(root, "Hello.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <ItemGroup>
                <ProjectReference Include="$(CheshireRoot)orchestrator/Cheshire.ServiceDefaults/Cheshire.ServiceDefaults.csproj" />
                <PackageReference Include="Grpc.Tools" PrivateAssets="All" />
                <Protobuf Include="hello.proto" GrpcServices="Server" AdditionalImportDirs="$(CheshireRoot)protos" />
              </ItemGroup>
              <ItemGroup>
                <Compile Remove="tests/**" />
                <Content Remove="tests/**" />
                <None Remove="tests/**" />
                <Content Update="module.json" CopyToOutputDirectory="PreserveNewest" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(root, "Program.cs"), program ?? $$"""
            using Cheshire.ServiceDefaults;

            var builder = WebApplication.CreateBuilder(args);
            builder.AddServiceDefaults();
            builder.AddCheshireModule();
            builder.Services.AddGrpc();
            var app = builder.Build();
            app.MapGet("/greeting", () => Hello.Greeting.Text);
            app.MapGrpcService<Hello.GreeterApi>();
            app.MapDefaultEndpoints();
            app.Run();

            namespace Hello
            {
                public static class Greeting
                {
                    public const string Text = "{{Greeting}}";
                }

                public sealed class GreeterApi(ModuleInfoProvider info) : Hello.Protos.Greeter.GreeterBase
                {
                    public override Task<Cheshire.Protos.ModuleInfo> GetInfo(Cheshire.Protos.GetInfoRequest request, Grpc.Core.ServerCallContext context) =>
                        info.DescribeAsync(context.CancellationToken);
                }
            }
            """);
        File.WriteAllText(Path.Combine(root, "hello.proto"), """
            syntax = "proto3";
            package hello;
            option csharp_namespace = "Hello.Protos";
            import "module.proto";

            service Greeter {
              rpc GetInfo (cheshire.GetInfoRequest) returns (cheshire.ModuleInfo);
            }
            """);
        File.WriteAllText(Path.Combine(root, "tests", "Hello.Tests.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <IsTestProject>true</IsTestProject>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="xunit.v3.mtp-v2" />
                <PackageReference Include="Microsoft.Testing.Extensions.TrxReport" />
                <Using Include="Xunit" />
                <ProjectReference Include="../Hello.csproj" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(root, "tests", "GreetingTests.cs"), $$"""
            namespace Hello.Tests;

            public class GreetingTests
            {
                [Fact]
                public void GreetsInEnglish() => {{test ?? "Assert.StartsWith(\"hello\", Greeting.Text)"}};
            }
            """);
        return root;
    }
}
