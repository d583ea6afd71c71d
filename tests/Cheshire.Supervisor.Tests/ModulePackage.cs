using Cheshire.Protos;
using Cheshire.Protos.Modules;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

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

    private static readonly Method<GetInfoRequest, ModuleInfo> GetInfo = new(MethodType.Unary, GrpcService, "GetInfo",
        Marshallers.Create(m => m.ToByteArray(), GetInfoRequest.Parser.ParseFrom),
        Marshallers.Create(m => m.ToByteArray(), ModuleInfo.Parser.ParseFrom));

    /// <summary>The installed module's own GetInfo, on the gRPC endpoint its status shows.</summary>
    public static async Task<ModuleInfo> GetInfoAsync(ModuleStatus status, CancellationToken ct)
    {
        using var channel = GrpcChannel.ForAddress(Endpoint(status, "grpc"));
        return await channel.CreateCallInvoker().AsyncUnaryCall(GetInfo, null, new CallOptions(cancellationToken: ct), new GetInfoRequest());
    }

    /// <summary>What the installed module's GET /greeting answers, on the http endpoint its status shows.</summary>
    public static async Task<string> GreetingAsync(ModuleStatus status, CancellationToken ct)
    {
        using var http = new HttpClient();
        return await http.GetStringAsync($"{Endpoint(status, "http")}/greeting", ct);
    }

    public static string Endpoint(ModuleStatus status, string name) => status.Endpoints.Single(e => e.Name == name).Url;

    /// <summary>
    /// Writes the package NAME into <paramref name="folder"/>/NAME; <paramref name="program"/> replaces Program.cs (e.g. one
    /// that does not compile), <paramref name="test"/> the body of its one test.
    /// </summary>
    public static string Write(string folder, string name, string? program = null, string? test = null, string? dependsOn = null)
    {
        var root = Path.Combine(folder, name);
        Directory.CreateDirectory(Path.Combine(root, "tests"));
        File.WriteAllText(Path.Combine(root, "module.json"), $$"""
            {
              "name": "{{name}}",
              "project": "Hello.csproj",
              "description": "A module installed from the namespace",
              "tests": { "project": "tests/Hello.Tests.csproj", "filter": "/*/Hello.Tests/GreetingTests/*" },
              "watch": false{{(dependsOn is null ? "" : $",\n  \"dependsOn\": [\"{dependsOn}\"]")}}
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
        File.WriteAllText(Path.Combine(root, "Program.cs"), program ?? Program());
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
        File.WriteAllText(Path.Combine(root, "tests", "GreetingTests.cs"), Test(test));
        return root;
    }

    /// <summary>
    /// The module's Program.cs: /greeting answers Hello:Words (default <paramref name="greeting"/>), read through
    /// IOptionsMonitor and so changed live by Modules.SetConfig; an empty value is refused by its validation.
    /// </summary>
    public static string Program(string greeting = Greeting) => $$"""
        using Cheshire.ServiceDefaults;
        using Cheshire.ServiceDefaults.Config;
        using Microsoft.Extensions.Options;

        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.AddCheshireModule();
        builder.AddModuleSettings<Hello.HelloSettings>(Hello.HelloSettings.Section, s => s.Validate(), Hello.HelloSettings.WordsKey);
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGet("/greeting", (IOptionsMonitor<Hello.HelloSettings> settings) => settings.CurrentValue.Words);
        app.MapGrpcService<Hello.GreeterApi>();
        app.MapDefaultEndpoints();
        app.Run();

        namespace Hello
        {
            public static class Greeting
            {
                public const string Text = "{{greeting}}";
            }

            public sealed class HelloSettings
            {
                public const string Section = "Hello";
                public const string WordsKey = "Hello:Words";

                public string Words { get; set; } = Greeting.Text;

                public void Validate()
                {
                    if (string.IsNullOrWhiteSpace(Words))
                        throw new InvalidOperationException($"{WordsKey} '{Words}' is empty: it is what /greeting answers.");
                }
            }

            public sealed class GreeterApi(ModuleInfoProvider info) : Hello.Protos.Greeter.GreeterBase
            {
                public override Task<Cheshire.Protos.ModuleInfo> GetInfo(Cheshire.Protos.GetInfoRequest request, Grpc.Core.ServerCallContext context) =>
                    info.DescribeAsync(context.CancellationToken);
            }
        }
        """;

    /// <summary>The module's one test (tests/GreetingTests.cs) with <paramref name="body"/> as its assertion.</summary>
    public static string Test(string? body = null) => $$"""
        namespace Hello.Tests;

        public class GreetingTests
        {
            [Fact]
            public void GreetsInEnglish() => {{body ?? "Assert.StartsWith(\"hello\", Greeting.Text)"}};
        }
        """;
}
