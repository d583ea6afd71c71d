# QEMU guestfwd "cmd:" relay: stdin/stdout is the guest connection (a socket); connects to
# 127.0.0.1:PORT with TCP_NODELAY (busybox nc leaves Nagle on: about 10x slower 9P reads).
import os, socket, sys, select
null = os.open(os.devnull, os.O_WRONLY); os.dup2(null, 2)
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
g = socket.socket(fileno=os.dup(0))
try:
    g.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
except OSError:
    pass
peers = {s: g, g: s}
open_ = {s, g}
while open_:
    r, _, _ = select.select(list(open_), [], [])
    for x in r:
        try:
            d = x.recv(1 << 20)
        except OSError:
            d = b""
        if not d:
            open_.discard(x)
            try: peers[x].shutdown(socket.SHUT_WR)
            except OSError: pass
            if x is g: open_.clear()
            continue
        peers[x].sendall(d)
