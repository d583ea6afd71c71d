// A bittorrent-dht 11 node driven by JSON lines on stdin (one reply line per command on stdout).
// Usage: node bt_peer.mjs PORT   (binds 127.0.0.1:PORT, bootstrap: false: it contacts only the nodes the test adds).
import DHT from 'bittorrent-dht'
import crypto from 'node:crypto'
import readline from 'node:readline'

const port = Number(process.argv[2])
const verify = (sig, msg, pk) => crypto.verify(null, msg,
  crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pk]), format: 'der', type: 'spki' }), sig)
const dht = new DHT({ bootstrap: false, verify, host: '127.0.0.1' })
dht.listen(port, '127.0.0.1')
dht.on('error', e => process.stderr.write('bittorrent-dht error: ' + e.message + '\n'))
const peersSeen = new Map()
dht.on('peer', (peer, infohash) => {
  const key = infohash.toString('hex')
  if (!peersSeen.has(key)) peersSeen.set(key, new Set())
  peersSeen.get(key).add(`${peer.host}:${peer.port}`)
})
const text = v => Buffer.isBuffer(v) ? v.toString('utf8') : v
const hex = b => Buffer.from(b).toString('hex')

async function handle (c) {
  switch (c.cmd) {
    case 'add_node':
      dht.addNode({ host: c.host, port: c.port })
      return {}
    case 'nodes':
      return { nodes: dht.toJSON().nodes.map(n => `${n.host}:${n.port}`) }
    case 'put_immutable':
      return new Promise(resolve => dht.put({ v: Buffer.from(c.value) },
        (err, hash, n) => resolve(err ? { error: err.message } : { target: hex(hash), stored: n })))
    case 'put_mutable': {
      const seed = Buffer.from(c.seed, 'hex')
      const priv = crypto.createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' })
      const k = crypto.createPublicKey(priv).export({ format: 'der', type: 'spki' }).subarray(12)
      const opts = { k, seq: c.seq, salt: Buffer.from(c.salt), v: Buffer.from(c.value), sign: buf => crypto.sign(null, buf, priv) }
      return new Promise(resolve => dht.put(opts,
        (err, hash, n) => resolve(err ? { error: err.message } : { target: hex(hash), stored: n, public_key: hex(k) })))
    }
    case 'get_immutable':
      return new Promise(resolve => dht.get(Buffer.from(c.target, 'hex'),
        (err, res) => resolve(err ? { error: err.message } : res ? { found: true, value: text(res.v) } : { found: false })))
    case 'get_mutable': {
      const pk = Buffer.from(c.public_key, 'hex')
      const salt = Buffer.from(c.salt)
      const target = crypto.createHash('sha1').update(Buffer.concat([pk, salt])).digest()
      return new Promise(resolve => dht.get(target, { salt },
        (err, res) => resolve(err ? { error: err.message } : res ? { found: true, value: text(res.v), seq: res.seq } : { found: false })))
    }
    case 'get_peers':
      return new Promise(resolve => dht.lookup(Buffer.from(c.infohash, 'hex'),
        err => resolve(err ? { error: err.message } : { peers: [...(peersSeen.get(c.infohash) ?? [])].sort() })))
    case 'announce':
      return new Promise(resolve => dht.announce(Buffer.from(c.infohash, 'hex'), c.port,
        err => resolve(err ? { error: err.message } : { announced: true })))
    case 'quit':
      dht.destroy(() => { process.stdout.write(JSON.stringify({ id: c.id }) + '\n'); process.exit(0) })
      return null
    default:
      return { error: 'unknown command ' + c.cmd }
  }
}

dht.on('listening', () => process.stdout.write(JSON.stringify({ ready: true, port }) + '\n'))
const input = readline.createInterface({ input: process.stdin })
// Commands run one at a time, in order, as the test sends them.
let chain = Promise.resolve()
input.on('line', line => {
  if (!line.trim()) return
  const c = JSON.parse(line)
  chain = chain.then(async () => {
    let reply
    try { reply = await handle(c) } catch (e) { reply = { error: `${e.name}: ${e.message}` } }
    if (reply !== null) process.stdout.write(JSON.stringify({ ...reply, id: c.id }) + '\n')
  })
})
