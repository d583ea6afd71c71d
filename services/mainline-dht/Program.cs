using Cheshire.MainlineDht;
using Cheshire.MainlineDht.Extensions;
using Cheshire.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddCheshireModule();
builder.AddMainlineNode();
builder.Services.AddGrpc();

var app = builder.Build();
app.MapGrpcService<MainlineApi>();
app.MapDefaultEndpoints();
app.Run();
