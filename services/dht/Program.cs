using Cheshire.Dht;
using Cheshire.Dht.Extensions;
using Cheshire.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddCheshireModule();
builder.AddDhtNode();
builder.Services.AddGrpc();

var app = builder.Build();
app.MapGrpcService<DhtApi>();
app.MapDefaultEndpoints();
app.Run();
