using Cheshire.ServiceDefaults;
using Cheshire.StyxProvider;
using Cheshire.StyxProvider.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddCheshireModule();
builder.AddUserIdentity();
builder.AddStyxProvider();
builder.Services.AddGrpc();

var app = builder.Build();
app.MapGrpcService<ProviderApi>();
app.MapDefaultEndpoints();
app.UseProviderSocket();
app.Run();
