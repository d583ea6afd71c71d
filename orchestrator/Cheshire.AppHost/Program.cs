using Cheshire.AppHost;
using Cheshire.Supervisor.Api;

var builder = DistributedApplication.CreateBuilder(args);
try
{
    builder.AddCheshireNode();
}
catch (Exception e) when (e is InvalidOperationException or InvalidDataException)
{
    // A bad setting or module.json: its message names the key; a stack trace would only bury it.
    Console.Error.WriteLine($"Cheshire.AppHost: {e.Message}");
    return 2;
}
try
{
    await builder.Build().RunAsync();
}
catch (ModulesApiUnavailableException e)
{
    Console.Error.WriteLine($"Cheshire.AppHost: {e.Message}");
    return 2;
}
return 0;
