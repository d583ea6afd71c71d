using Cheshire.Protos.Mainline;
using Cheshire.ServiceDefaults;
using Grpc.Health.V1;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.DependencyInjection;

namespace Cheshire.Modules.Tests;

public sealed class ModuleClientsTests
{
    [Fact]
    public void AModuleCanCallAnotherThroughSeveralClientTypes()
    {
        // a dht node checks mainline-dht's health and calls its Mainline API
        var services = new ServiceCollection();
        services.AddModuleClient<Health.HealthClient>("mainline-dht");
        services.AddModuleClient<Mainline.MainlineClient>("mainline-dht");
        services.AddModuleClient<Health.HealthClient>("styx-root");
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<GrpcClientFactory>();

        Assert.IsType<Health.HealthClient>(factory.CreateModuleClient<Health.HealthClient>("mainline-dht"));
        Assert.IsType<Mainline.MainlineClient>(factory.CreateModuleClient<Mainline.MainlineClient>("mainline-dht"));
        Assert.IsType<Health.HealthClient>(factory.CreateModuleClient<Health.HealthClient>("styx-root"));
        // a client nobody registered is an error, not a client aimed nowhere
        Assert.Throws<InvalidOperationException>(() => factory.CreateModuleClient<Mainline.MainlineClient>("styx-root"));
    }

    [Fact]
    public void ModuleClientsAddressTheModulesGrpcEndpointThroughServiceDiscovery()
    {
        Assert.Equal(new Uri("http://_grpc.mainline-dht"), ModuleClients.AddressOf("mainline-dht"));
        Assert.NotEqual(ModuleClients.ClientName<Health.HealthClient>("dht"), ModuleClients.ClientName<Mainline.MainlineClient>("dht"));
    }
}
