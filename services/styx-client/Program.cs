using Cheshire.StyxClient;
using Cheshire.ServiceDefaults;
using Cheshire.StyxClient.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddCheshireModule();
builder.AddRelayIo();
builder.AddLinkCredentials();
builder.AddLinkServer();
builder.AddImports();
builder.Services.AddGrpc();

var app = builder.Build();
app.MapGrpcService<ImporterApi>();
app.MapDefaultEndpoints();
app.UseImportsSocket();
app.Run();
