#!/usr/bin/python3
"""A libtorrent 2.0 DHT node driven by JSON lines on stdin (one reply line per command on stdout).

Usage: /usr/bin/python3 lt_peer.py PORT   (binds 127.0.0.1:PORT; no bootstrap node, LSD/UPnP/NAT-PMP off,
so it never contacts anything but the nodes the test adds)."""
import hashlib, json, sys, time
import libtorrent as lt

port = int(sys.argv[1])
s = lt.session({
    'listen_interfaces': '127.0.0.1:%d' % port, 'enable_dht': True, 'dht_bootstrap_nodes': '',
    'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
    'dht_restrict_routing_ips': False, 'dht_restrict_search_ips': False, 'dht_block_ratelimit': 1000000,
    'dht_upload_rate_limit': 1000000000,  # bytes/s of DHT replies; the default (8000) would cap a benchmark
    'dht_ignore_dark_internet': False, 'dht_prefer_verified_node_ids': False,
    'alert_mask': lt.alert.category_t.dht_notification | lt.alert.category_t.error_notification
                  | lt.alert.category_t.status_notification | lt.alert.category_t.dht_operation_notification,
})
pending = []


def alerts(seconds, accept):
    """Pops alerts for up to `seconds`; `accept(alert)` returns True to stop early."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        s.wait_for_alert(100)
        for a in s.pop_alerts():
            if accept(a):
                return True
    return False


def text(v):
    # The 2.0 binding hands items over as {'key': ..., 'value': <bdecoded value>}.
    if isinstance(v, dict) and 'value' in v:
        v = v['value']
    return v.decode('utf-8', 'replace') if isinstance(v, bytes) else v


def handle(c):
    cmd = c['cmd']
    if cmd == 'add_node':
        s.add_dht_node((c['host'], c['port']))
        return {}
    if cmd == 'nodes':
        alerts(0.2, lambda a: False)
        return {'nodes': s.status().dht_nodes}
    if cmd == 'put_immutable':
        target = str(s.dht_put_immutable_item(c['value']))
        out = {'target': target, 'stored': 0}
        def on(a):
            if isinstance(a, lt.dht_put_alert) and str(a.target) == target:
                out['stored'] = a.num_success
                return True
        alerts(c.get('timeout', 10), on)
        return out
    if cmd == 'put_mutable':
        seed = bytes.fromhex(c['seed'])
        sk = bytearray(hashlib.sha512(seed).digest())   # libtorrent's 64-byte ed25519 secret: SHA512(seed), clamped
        sk[0] &= 248; sk[31] &= 63; sk[31] |= 64
        pk = bytes.fromhex(c['public_key'])
        s.dht_put_mutable_item(bytes(sk), pk, c['value'], c['salt'])
        out = {'stored': 0}
        def on(a):
            if isinstance(a, lt.dht_put_alert) and bytes(a.public_key) == pk:
                out['stored'] = a.num_success
                out['seq'] = a.seq
                return True
        alerts(c.get('timeout', 10), on)
        return out
    if cmd == 'get_immutable':
        s.dht_get_immutable_item(lt.sha1_hash(bytes.fromhex(c['target'])))
        out = {'found': False}
        def on(a):
            if isinstance(a, lt.dht_immutable_item_alert) and str(a.target) == c['target']:
                if a.item is not None and a.item != b'' and a.item != {}:
                    out.update(found=True, value=text(a.item))
                return True
        alerts(c.get('timeout', 10), on)
        return out
    if cmd == 'get_mutable':
        pk = bytes.fromhex(c['public_key'])
        s.dht_get_mutable_item(pk, c['salt'])
        out = {'found': False}
        def on(a):
            if isinstance(a, lt.dht_mutable_item_alert) and bytes(a.key) == pk:
                if a.item is not None and a.item != b'' and a.item != {}:
                    if not out['found'] or a.seq >= out['seq']:
                        out.update(found=True, value=text(a.item), seq=a.seq)
                return a.authoritative
        alerts(c.get('timeout', 10), on)
        return out
    if cmd == 'get_peers':
        ih = c['infohash']
        s.dht_get_peers(lt.sha1_hash(bytes.fromhex(ih)))
        peers = set()
        def on(a):
            if isinstance(a, lt.dht_get_peers_reply_alert) and str(a.info_hash) == ih:
                for p in a.peers():
                    peers.add('%s:%d' % (p[0], p[1]))
            return c.get('expect') in peers
        alerts(c.get('timeout', 10), on)
        return {'peers': sorted(peers)}
    if cmd == 'announce':
        # session.dht_announce is broken in the 2.0.8 Python binding: a magnet-only torrent announces instead.
        p = lt.parse_magnet_uri('magnet:?xt=urn:btih:' + c['infohash'])
        p.save_path = c['save_path']
        h = s.add_torrent(p)
        pending.append(h)
        done = {'announced': False}
        def on(a):
            if isinstance(a, lt.dht_reply_alert):
                done['announced'] = True
                return True
        alerts(c.get('timeout', 15), on)
        return done
    if cmd == 'quit':
        print(json.dumps({'id': c.get('id')}), flush=True)
        sys.exit(0)
    raise ValueError('unknown command ' + cmd)


print(json.dumps({'ready': True, 'port': port}), flush=True)
for line in sys.stdin:
    if not line.strip():
        continue
    c = json.loads(line)
    try:
        reply = handle(c)
    except Exception as e:  # reported to the test, which fails with the message
        reply = {'error': '%s: %s' % (type(e).__name__, e)}
    reply['id'] = c.get('id')
    print(json.dumps(reply, default=str), flush=True)
