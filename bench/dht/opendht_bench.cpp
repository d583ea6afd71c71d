// OpenDHT side of bench/dht-vs-opendht.sh: N dht::DhtRunners in this process bound to 127.0.0.1
// only (no IPv6 socket), global and per-IP rate limits off, no public bootstrap, each operation
// driven with a fixed number in flight. Prints one JSON line (same schema as the Cheshire side):
//   [{"op", "ops", "ok", "seconds", "cpu_seconds", "ops_per_s", "p50_ms", "p99_ms"}, ...]
// Usage: opendht_bench NODES OPS IN_FLIGHT [BASE_PORT=47100]
// Env OPENDHT_BENCH_KEY_BITS: RSA key size of the node identities (default 4096, OpenDHT's default).
// Build: g++ -std=c++17 -O2 opendht_bench.cpp $(pkg-config --cflags --libs opendht) -pthread
#include <opendht.h>

#include <arpa/inet.h>
#include <sys/resource.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;
using Done = std::function<void(bool)>;

static int NODES = 10, OPS = 1000, IN_FLIGHT = 50, BASE_PORT = 47100;

static double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// user + system CPU seconds of the whole process (all runner threads)
static double cpu_now() {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Row {
    std::string op;
    int ops = 0, ok = 0;
    double seconds = 0, cpu_seconds = 0, ops_per_s = 0, p50_ms = NAN, p99_ms = NAN;
};

// Runs OPS operations, IN_FLIGHT at a time; start_op(i, done) must call done(ok) once.
// Latency of one op is measured from the moment it got its slot, as the former opendht_bench.py did.
static Row drive(const std::string& name, const std::function<void(int, Done)>& start_op) {
    struct State {
        std::mutex m;
        std::condition_variable cv;
        int slots, done = 0, ok = 0;
        std::vector<double> lat;
    };
    auto st = std::make_shared<State>();   // shared: a late callback after the timeout must not dangle
    st->slots = IN_FLIGHT;
    st->lat.reserve(OPS);
    auto t0 = Clock::now();
    double cpu0 = cpu_now();
    auto deadline = t0 + std::chrono::seconds(120);
    for (int i = 0; i < OPS; i++) {
        {
            std::unique_lock<std::mutex> lk(st->m);
            if (!st->cv.wait_until(lk, deadline, [&] { return st->slots > 0; })) break;
            st->slots--;
        }
        auto started = Clock::now();
        start_op(i, [st, started](bool ok) {
            double l = since(started);
            std::lock_guard<std::mutex> lk(st->m);
            st->done++;
            st->ok += ok ? 1 : 0;
            st->lat.push_back(l);
            st->slots++;
            st->cv.notify_all();
        });
    }
    Row r;
    {
        std::unique_lock<std::mutex> lk(st->m);
        st->cv.wait_until(lk, deadline, [&] { return st->done >= OPS; });
        r.seconds = since(t0);
        r.cpu_seconds = cpu_now() - cpu0;
        r.ok = st->ok;
        auto lat = st->lat;
        lk.unlock();
        std::sort(lat.begin(), lat.end());
        if (!lat.empty()) {
            r.p50_ms = 1000 * lat[lat.size() / 2];
            r.p99_ms = 1000 * lat[std::max(0, (int)(lat.size() * 0.99) - 1)];
        }
    }
    r.op = name;
    r.ops = OPS;
    r.ops_per_s = OPS / r.seconds;
    std::fprintf(stderr, "opendht_bench: %-13s %7.0f ops/s  ok %d/%d  p50 %.1f ms  p99 %.1f ms\n",
                 name.c_str(), r.ops_per_s, r.ok, r.ops, r.p50_ms, r.p99_ms);
    return r;
}

static std::string num(double v) {
    if (std::isnan(v)) return "NaN";   // what Python's json.dumps writes; json.load reads it back
    char b[64];
    auto res = std::to_chars(b, b + sizeof b, v);   // shortest round-trip form, like Python's repr
    return std::string(b, res.ptr);
}

// Blocking get for the sanity checks (not timed): all values found under key within 10 s.
static std::vector<std::shared_ptr<dht::Value>> get_all(dht::DhtRunner& r, const dht::InfoHash& key) {
    std::mutex m;
    std::condition_variable cv;
    bool finished = false;
    auto found = std::make_shared<std::vector<std::shared_ptr<dht::Value>>>();
    auto fm = std::make_shared<std::mutex>();
    r.get(key,
          dht::GetCallback([found, fm](const std::vector<std::shared_ptr<dht::Value>>& vs) {
              std::lock_guard<std::mutex> lk(*fm);
              found->insert(found->end(), vs.begin(), vs.end());
              return true;
          }),
          dht::DoneCallbackSimple([&](bool) {
              std::lock_guard<std::mutex> lk(m);
              finished = true;
              cv.notify_all();
          }));
    std::unique_lock<std::mutex> lk(m);
    cv.wait_for(lk, std::chrono::seconds(10), [&] { return finished; });
    std::lock_guard<std::mutex> flk(*fm);
    return *found;
}

int main(int argc, char** argv) {
    if (argc > 1) NODES = std::atoi(argv[1]);
    if (argc > 2) OPS = std::atoi(argv[2]);
    if (argc > 3) IN_FLIGHT = std::atoi(argv[3]);
    if (argc > 4) BASE_PORT = std::atoi(argv[4]);
    if (NODES < 2 || OPS < 1 || IN_FLIGHT < 1) {
        std::fprintf(stderr, "usage: %s NODES(>=2) OPS IN_FLIGHT [BASE_PORT=47100]\n", argv[0]);
        return 2;
    }
    unsigned key_bits = 4096;
    if (const char* e = std::getenv("OPENDHT_BENCH_KEY_BITS")) key_bits = (unsigned)std::atoi(e);

    // One identity per node: SecureDht derives the node id from the identity's public key, so a
    // shared identity would give every node the same id. Generated on all cores in parallel.
    auto tgen = Clock::now();
    std::vector<dht::crypto::Identity> ids(NODES);
    {
        std::vector<std::thread> gen;
        unsigned workers = std::max(1u, std::thread::hardware_concurrency());
        for (unsigned w = 0; w < workers; w++)
            gen.emplace_back([&, w] {
                for (int i = (int)w; i < NODES; i += (int)workers)
                    ids[i] = dht::crypto::generateIdentity("bench-node-" + std::to_string(i), {}, key_bits);
            });
        for (auto& t : gen) t.join();
    }
    std::fprintf(stderr, "opendht_bench: %d RSA-%u identities in %.1f s\n", NODES, key_bits, since(tgen));

    std::vector<std::unique_ptr<dht::DhtRunner>> runners;
    for (int i = 0; i < NODES; i++) {
        dht::DhtRunner::Config config;
        config.dht_config.node_config.is_bootstrap = false;
        config.dht_config.node_config.max_req_per_sec = -1;        // global rate limit off
        config.dht_config.node_config.max_peer_req_per_sec = -1;   // per-IP rate limit off
        config.dht_config.id = ids[i];
        config.threaded = true;
        sockaddr_in sin {};
        sin.sin_family = AF_INET;
        sin.sin_port = htons((uint16_t)(BASE_PORT + i));
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        config.bind4 = dht::SockAddr((const sockaddr*)&sin, sizeof sin);
        // config.bind6 left empty: no IPv6 socket at all
        auto r = std::make_unique<dht::DhtRunner>();
        try {
            r->run(config, {});
        } catch (const std::exception& e) {
            std::fprintf(stderr, "opendht_bench: node %d cannot bind 127.0.0.1:%d: %s\n", i, BASE_PORT + i, e.what());
            std::fflush(stderr);
            std::_Exit(1);
        }
        runners.push_back(std::move(r));
    }
    for (int i = 1; i < NODES; i++) runners[i]->bootstrap("127.0.0.1", std::to_string(BASE_PORT));
    std::this_thread::sleep_for(std::chrono::seconds(3));

    auto keys = [](const char* prefix) {
        std::vector<dht::InfoHash> k(OPS);
        for (int i = 0; i < OPS; i++) k[i] = dht::InfoHash::get(std::string(prefix) + std::to_string(i));
        return k;
    };
    auto plain = keys("bench-plain-"), signed_ = keys("bench-signed-"), encrypted = keys("bench-encrypted-"),
         absent = keys("bench-absent-");
    const dht::Blob payload(100, 'x');
    std::vector<std::shared_ptr<dht::crypto::PublicKey>> pubkeys;
    for (auto& id : ids) pubkeys.push_back(id.first->getSharedPublicKey());
    auto ignore = dht::GetCallback([](const std::vector<std::shared_ptr<dht::Value>>&) { return true; });
    auto simple = [](Done d) { return dht::DoneCallbackSimple(std::move(d)); };

    std::vector<Row> rows;
    rows.push_back(drive("plain put", [&](int i, Done d) {
        runners[i % NODES]->put(plain[i], dht::Value(payload), simple(std::move(d)));
    }));
    rows.push_back(drive("plain get", [&](int i, Done d) {
        runners[(i + 3) % NODES]->get(plain[i], ignore, simple(std::move(d)));
    }));
    rows.push_back(drive("signed put", [&](int i, Done d) {
        runners[i % NODES]->putSigned(signed_[i], dht::Value(payload), simple(std::move(d)));
    }));
    rows.push_back(drive("encrypted put", [&](int i, Done d) {
        // to the public key of the next node's identity; the value is signed by the sender, then encrypted
        runners[i % NODES]->putEncrypted(encrypted[i], pubkeys[(i + 1) % NODES],
                                         dht::Value(payload), simple(std::move(d)));
    }));
    rows.push_back(drive("lookup", [&](int i, Done d) {
        runners[i % NODES]->get(absent[i], ignore, simple(std::move(d)));
    }));

    // Sanity checks (untimed, stderr): a signed value read back from another node carries the
    // putter's signature; an encrypted value read by its recipient decrypts to the payload
    // and names the sender.
    {
        auto vs = get_all(*runners[5 % NODES], signed_[0]);
        bool good = false;
        for (auto& v : vs)
            good |= v->isSigned() && v->owner && v->owner->getId() == ids[0].second->getId() && v->data == payload;
        std::fprintf(stderr, "opendht_bench: sanity: get of signed key 0 from node %d: %zu value(s), signed by node 0 with payload: %s\n",
                     5 % NODES, vs.size(), good ? "yes" : "NO");
        auto es = get_all(*runners[1 % NODES], encrypted[0]);
        bool dec = false;
        for (auto& v : es) dec |= !v->isEncrypted() && v->data == payload && v->owner && v->owner->getId() == ids[0].second->getId();
        std::fprintf(stderr, "opendht_bench: sanity: get of encrypted key 0 by its recipient node 1: %zu value(s), decrypted, from node 0: %s\n",
                     es.size(), dec ? "yes" : "NO");
        // SecureDht drops encrypted values it cannot decrypt, so a non-recipient should see none
        auto os = get_all(*runners[2 % NODES], encrypted[0]);
        std::fprintf(stderr, "opendht_bench: sanity: same key from non-recipient node 2: %zu value(s) (expected 0)\n", os.size());
    }

    std::string out = "[";
    for (size_t i = 0; i < rows.size(); i++) {
        auto& r = rows[i];
        out += (i ? ", " : "") + std::string("{\"op\": \"") + r.op + "\", \"ops\": " + std::to_string(r.ops) +
               ", \"ok\": " + std::to_string(r.ok) + ", \"seconds\": " + num(r.seconds) + ", \"cpu_seconds\": " + num(r.cpu_seconds) +
               ", \"ops_per_s\": " + num(r.ops_per_s) + ", \"p50_ms\": " + num(r.p50_ms) +
               ", \"p99_ms\": " + num(r.p99_ms) + "}";
    }
    out += "]\n";
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
    std::fflush(stderr);
    std::_Exit(0);   // DhtRunner::join() can block on shutdown; the results are out
}
