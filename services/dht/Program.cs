using Cheshire.Dht;
using Cheshire.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddCheshireModule();
builder.Services.AddGrpc();

var app = builder.Build();
app.MapGrpcService<DhtApi>();
app.MapDefaultEndpoints();
app.Run();
