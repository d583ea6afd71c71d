using Cheshire.MainlineDht;
using Cheshire.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddCheshireModule();
builder.Services.AddGrpc();

var app = builder.Build();
app.MapGrpcService<MainlineApi>();
app.MapDefaultEndpoints();
app.Run();
