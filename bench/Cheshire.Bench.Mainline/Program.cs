// Mainline DHT query benchmark.
//   serve PORT                      run a Cheshire MainlineNode on 127.0.0.1:PORT with rate limits off (prints its pid)
//   flood PORT PID METHOD SECONDS WINDOW
//                                   send METHOD (ping | find_node | get_peers) queries to 127.0.0.1:PORT, keeping WINDOW
//                                   unanswered at most, for SECONDS; prints answers/s and the CPU seconds PID used
//                                   (utime + stime from /proc/PID/stat) as one tab-separated line.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Cheshire.Mainline;
using Cheshire.Mainline.Bencode;
using Cheshire.Mainline.Engine;
using Cheshire.Mainline.Krpc;
using Cheshire.Mainline.Security;
using Cheshire.Mainline.Transport;

if (args.Length >= 2 && args[0] == "serve")
{
    var port = int.Parse(args[1]);
    await using var node = new MainlineNode(new UdpTransport(new IPEndPoint(IPAddress.Loopback, port)), new MainlineOptions
    {
        MaintenanceInterval = TimeSpan.Zero,
        RateLimits = new RateLimitOptions
        {
            PerIpQueriesPerSecond = 1e9, PerIpBurst = 1e9, GlobalQueriesPerSecond = 1e9, GlobalBurst = 1e9,
        },
    });
    // A few table entries so find_node / get_peers answers carry nodes, as on a live node.
    for (var i = 0; i < 64; i++)
        node.RoutingTable.Heard(NodeId.Random(), new IPEndPoint(IPAddress.Parse($"10.0.{i}.1"), 6881), responded: true, verified: false);
    node.Start();
    Console.WriteLine($"serving {node.LocalEndPoint} pid {Environment.ProcessId}");
    await Task.Delay(Timeout.Infinite);
}
else if (args.Length >= 6 && args[0] == "flood")
{
    var target = new IPEndPoint(IPAddress.Loopback, int.Parse(args[1]));
    var pid = int.Parse(args[2]);
    var method = args[3];
    var seconds = double.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);
    var window = int.Parse(args[5]);
    var id = NodeId.Random();
    var queryArgs = new BDictionary { ["id"] = new BString(id.ToArray()) };
    if (method == "find_node") queryArgs["target"] = new BString(NodeId.Random().ToArray());
    else if (method == "get_peers") queryArgs["info_hash"] = new BString(NodeId.Random().ToArray());
    else if (method != "ping") throw new ArgumentException($"method {method}: ping, find_node or get_peers");
    var query = new KrpcMessage { TransactionId = "aa"u8.ToArray(), Type = KrpcMessageType.Query, Method = method, Arguments = queryArgs }.Encode();

    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    socket.ReceiveBufferSize = 8 << 20;
    socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    long answers = 0, errors = 0, sent = 0;
    var credit = new SemaphoreSlim(window, int.MaxValue);
    using var stop = new CancellationTokenSource();
    var receiver = Task.Run(async () =>
    {
        var buffer = new byte[2048];
        while (!stop.IsCancellationRequested)
        {
            int n;
            try { n = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token); }
            catch (OperationCanceledException) { return; }
            // "1:y1:r" marks a reply, "1:y1:e" an error (e.g. a rate limit).
            if (buffer.AsSpan(0, n).IndexOf("1:y1:r"u8) >= 0) Interlocked.Increment(ref answers);
            else Interlocked.Increment(ref errors);
            credit.Release();
        }
    });
    var cpuBefore = CpuSeconds(pid);
    var clock = Stopwatch.StartNew();
    var lastProgress = 0L;
    var lastCheck = clock.Elapsed;
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        if (!await credit.WaitAsync(20))
        {
            // Lost datagrams would starve the window: after 100 ms without answers, top it up.
            if (clock.Elapsed - lastCheck > TimeSpan.FromMilliseconds(100))
            {
                if (Interlocked.Read(ref answers) + Interlocked.Read(ref errors) == lastProgress) credit.Release(window);
                lastProgress = Interlocked.Read(ref answers) + Interlocked.Read(ref errors);
                lastCheck = clock.Elapsed;
            }
            continue;
        }
        await socket.SendToAsync(query, SocketFlags.None, target);
        sent++;
    }
    var elapsed = clock.Elapsed.TotalSeconds;
    var cpu = CpuSeconds(pid) - cpuBefore;
    await stop.CancelAsync();
    await receiver;
    var qps = answers / elapsed;
    Console.WriteLine(FormattableString.Invariant($"{method}\t{sent}\t{answers}\t{errors}\t{qps:F0}\t{cpu:F2}\t{(cpu > 0 ? answers / cpu : 0):F0}"));
}
else
{
    Console.Error.WriteLine("usage: serve PORT | flood PORT PID METHOD SECONDS WINDOW");
    return 2;
}
return 0;

static double CpuSeconds(int pid)
{
    // /proc/PID/stat: fields 14 and 15 (utime, stime) in clock ticks, after the parenthesised command name.
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    var ticks = long.Parse(fields[11]) + long.Parse(fields[12]);
    return ticks / 100.0; // USER_HZ is 100 on Linux
}
