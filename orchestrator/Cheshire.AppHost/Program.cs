using Cheshire.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
builder.AddCheshireNode();
builder.Build().Run();
