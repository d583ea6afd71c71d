#!/usr/bin/env bash
# The Docker engine the deploy scripts and the container tests use, without any registry.
#   deploy/engine.sh start   installs docker.io if missing (root), starts dockerd unless one already answers
#                            on $DOCKER_HOST; prints "started" when this call started it, "running" otherwise
#   deploy/engine.sh stop    stops the dockerd this script started (its pid file), nothing else
# The engine keeps its images in $CHESHIRE_DOCKER_ROOT (/var/lib/cheshire-docker), so the cached base image
# survives between runs, and listens on unix:///run/cheshire-docker.sock unless DOCKER_HOST names another engine.
set -euo pipefail

root="${CHESHIRE_DOCKER_ROOT:-/var/lib/cheshire-docker}"
run="${CHESHIRE_DOCKER_RUN:-/run/cheshire-docker}"
export DOCKER_HOST="${DOCKER_HOST:-unix://$run.sock}"
pidfile="$run.pid"

answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

case "${1:-}" in
  start)
    if ! command -v dockerd >/dev/null || ! command -v iptables >/dev/null; then
      if [ "$(id -u)" != 0 ]; then echo "engine.sh: dockerd is not installed; run as root or install docker.io" >&2; exit 1; fi
      echo "engine.sh: installing docker.io" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq && apt-get install -y -qq --no-install-recommends docker.io iptables >/dev/null
    fi
    if answers; then echo running; exit 0; fi
    if [ "$DOCKER_HOST" != "unix://$run.sock" ]; then echo "engine.sh: no engine answers on DOCKER_HOST=$DOCKER_HOST" >&2; exit 1; fi
    mkdir -p "$root" "$run"
    # --bridge=none: containers get no network unless one is created for them (the tests create internal ones).
    nohup dockerd --data-root "$root" --exec-root "$run" --pidfile "$pidfile" -H "$DOCKER_HOST" \
      --bridge=none --log-level=warn >"$run.log" 2>&1 </dev/null &
    for _ in $(seq 1 150); do
      if answers; then echo started; exit 0; fi
      if ! kill -0 $! 2>/dev/null; then break; fi
      sleep 0.2
    done
    echo "engine.sh: dockerd did not answer on $DOCKER_HOST; its log:" >&2
    tail -20 "$run.log" >&2
    exit 1
    ;;
  stop)
    if [ -s "$pidfile" ]; then
      pid="$(cat "$pidfile")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    fi
    ;;
  *)
    echo "usage: deploy/engine.sh start|stop" >&2
    exit 2
    ;;
esac
