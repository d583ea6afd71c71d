using Cheshire.ServiceDefaults;
using Cheshire.StyxRoot;
using Cheshire.StyxRoot.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddCheshireModule();
builder.AddUserIdentity();
builder.AddStyxRoot();
builder.Services.AddGrpc();

var app = builder.Build();
app.MapGrpcService<NamespaceApi>();
app.MapDefaultEndpoints();
app.Run();
