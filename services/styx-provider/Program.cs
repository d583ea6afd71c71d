using Cheshire.StyxProvider;
using Cheshire.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddCheshireModule();
builder.Services.AddGrpc();

var app = builder.Build();
app.MapGrpcService<ProviderApi>();
app.MapDefaultEndpoints();
app.Run();
