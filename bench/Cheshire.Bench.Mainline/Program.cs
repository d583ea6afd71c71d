// Mainline DHT query benchmark.
//   serve PORT                      run a Cheshire MainlineNode on 127.0.0.1:PORT with rate limits off (prints its pid)
//   flood PORT PID METHOD SECONDS WINDOW
//                                   send METHOD (ping | find_node | get_peers) queries to 127.0.0.1:PORT, keeping WINDOW
//                                   unanswered at most, for SECONDS; prints answers/s and the CPU seconds PID used
//                                   (utime + stime from /proc/PID/stat) as one tab-separated line.
//   allocs METHOD COUNT             in one process: a node on 127.0.0.1 answers COUNT METHOD queries one at a time;
//                                   prints bytes allocated per answered query (node and client, whole process).
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
    await using var node = StartNode(int.Parse(args[1]));
    Console.WriteLine($"serving {node.LocalEndPoint} pid {Environment.ProcessId}");
    await Task.Delay(Timeout.Infinite);
}
else if (args.Length >= 3 && args[0] == "allocs")
{
    await using var node = StartNode(0);
    var count = int.Parse(args[2]);
    var query = Query(args[1]);
    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    var target = node.LocalEndPoint.Serialize();
    var from = new SocketAddress(AddressFamily.InterNetwork);
    var buffer = new byte[2048];
    for (var round = 0; round < 2; round++) // the first round warms up (JIT, caches)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < count; i++)
        {
            socket.SendTo(query, SocketFlags.None, target);
            socket.ReceiveFrom(buffer, SocketFlags.None, from);
        }
        if (round == 1)
            Console.WriteLine(FormattableString.Invariant($"{args[1]}\t{(GC.GetTotalAllocatedBytes(precise: true) - before) / (double)count:F1} bytes allocated per query"));
    }
}
else if (args.Length >= 6 && args[0] == "flood")
{
    var target = new IPEndPoint(IPAddress.Loopback, int.Parse(args[1]));
    var pid = int.Parse(args[2]);
    var method = args[3];
    var seconds = double.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);
    var window = int.Parse(args[5]);
    var query = Query(method);

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
    Console.Error.WriteLine("usage: serve PORT | flood PORT PID METHOD SECONDS WINDOW | allocs METHOD COUNT");
    return 2;
}
return 0;

// A node with rate limits off and a few table entries, so find_node / get_peers answers carry nodes, as on a live node.
static MainlineNode StartNode(int port)
{
    var node = new MainlineNode(new UdpTransport(new IPEndPoint(IPAddress.Loopback, port)), new MainlineOptions
    {
        MaintenanceInterval = TimeSpan.Zero,
        RateLimits = new RateLimitOptions
        {
            PerIpQueriesPerSecond = 1e9, PerIpBurst = 1e9, GlobalQueriesPerSecond = 1e9, GlobalBurst = 1e9,
        },
    });
    for (var i = 0; i < 64; i++)
        node.RoutingTable.Heard(NodeId.Random(), new IPEndPoint(IPAddress.Parse($"10.0.{i}.1"), 6881), responded: true, verified: false);
    node.Start();
    return node;
}

static byte[] Query(string method)
{
    var queryArgs = new BDictionary { ["id"] = new BString(NodeId.Random().ToArray()) };
    if (method == "find_node") queryArgs["target"] = new BString(NodeId.Random().ToArray());
    else if (method == "get_peers") queryArgs["info_hash"] = new BString(NodeId.Random().ToArray());
    else if (method != "ping") throw new ArgumentException($"method {method}: ping, find_node or get_peers");
    return new KrpcMessage { TransactionId = "aa"u8.ToArray(), Type = KrpcMessageType.Query, Method = method, Arguments = queryArgs }.Encode();
}

static double CpuSeconds(int pid)
{
    // /proc/PID/stat: fields 14 and 15 (utime, stime) in clock ticks, after the parenthesised command name.
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    var ticks = long.Parse(fields[11]) + long.Parse(fields[12]);
    return ticks / 100.0; // USER_HZ is 100 on Linux
}
