#!/usr/bin/env bash
# vm-node bench on SQLite and on PostgreSQL in one run (release build), same workload:
# appends per second, inclusion-proof p50/p99, bytes per receipt (docs/PERFORMANCE.md,
# "PostgreSQL").
#
#   scripts/bench-stores.sh [RECEIPTS]      # default 1_000_000; PROOFS=20000 by default
#
# PostgreSQL runs as a throwaway cluster in a temporary directory (Debian's server binaries,
# as the postgres system user when run as root) on a free loopback port, stopped at the end.
# The node and bench processes (and the PostgreSQL server) run at `nice -n $NICE` (default
# -10, which needs root; NICE=0 otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."

receipts="${1:-1000000}"
proofs="${PROOFS:-20000}"
nice_level="${NICE:--10}"
target="${CARGO_TARGET_DIR:-target}"

cargo build --release -q -p vaultmesh-node
bin="$(pwd)/$target/release/vm-node"
[ -x "$bin" ] || bin="$target/release/vm-node"
pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -x "$pgbin/initdb" ] || { echo "no PostgreSQL server: run scripts/test.sh (it installs Debian's postgresql)" >&2; exit 2; }

work="$(mktemp -d /tmp/vm-bench-stores.XXXXXX)"
chmod 755 "$work"
node_pid=""
# Runs a server binary as the postgres user when we are root (PostgreSQL refuses root), at
# the bench's niceness (set before dropping privileges: only root may lower it).
as_pg() {
  if [ "$(id -u)" = 0 ]; then nice -n "$nice_level" runuser -u postgres -- "$@"; else nice -n "$nice_level" "$@"; fi
}
cleanup() {
  [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null || true
  [ -d "$work/pg/data" ] && as_pg "$pgbin/pg_ctl" -D "$work/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/pg"
[ "$(id -u)" = 0 ] && chown postgres "$work/pg"
as_pg "$pgbin/initdb" -D "$work/pg/data" -A trust -U postgres -E UTF8 >/dev/null
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
as_pg "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
  -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1 -c shared_buffers=512MB" start >/dev/null
"$pgbin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -c "CREATE DATABASE bench" postgres
pg_url="postgres://postgres@127.0.0.1:$port/bench"

run() {
  local name="$1"; shift
  local data="$work/$name"
  "$bin" init --mesh-id "did:vm:mesh:bench" --data "$data" --listen 127.0.0.1:0 \
    --checkpoint-interval 0 --scrolls Bench "$@" >/dev/null
  RUST_LOG=warn nice -n "$nice_level" "$bin" serve --data "$data" >"$work/$name.serve" 2>"$work/$name.log" &
  node_pid=$!
  local url=""
  for _ in $(seq 100); do
    url="$(sed -n 's/^vm-node listening on //p' "$work/$name.serve" | head -n 1)"
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { cat "$work/$name.log" >&2; exit 1; }
  echo "== $name: $receipts receipts, batches of 1000, 2 connections, $proofs proofs (load: $(uptime | sed 's/.*load average: //'))" >&2
  nice -n "$nice_level" "$bin" bench --data "$data" --url "$url" --receipts "$receipts" \
    --batch 1000 --connections 2 --proofs "$proofs" --json >"$work/$name.json"
  kill "$node_pid"; wait "$node_pid" 2>/dev/null || true; node_pid=""
}

run sqlite
run postgres --store "$pg_url"

python3 - "$work/sqlite.json" "$work/postgres.json" <<'EOF'
import json, sys
rows = [(name, json.load(open(path))) for name, path in zip(("SQLite", "PostgreSQL"), sys.argv[1:])]
print(f"{'store':<11} {'receipts/s':>11} {'batch p50/p99 ms':>17} {'proof p50/p90/p99/max ms':>25} {'bytes/receipt':>14}")
for name, r in rows:
    a, p, s = r.get("append", {}), r.get("proofs", {}), r.get("store", {})
    print(f"{name:<11} {a.get('receipts_per_second', 0):>11.0f} "
          f"{a.get('batch_ms_p50', 0):>8.1f}/{a.get('batch_ms_p99', 0):<8.1f} "
          f"{p.get('ms_p50', 0):>7.3f}/{p.get('ms_p90', 0):.3f}/{p.get('ms_p99', 0):.3f}/{p.get('ms_max', 0):<6.1f} "
          f"{s.get('bytes_per_receipt', 0):>14.0f}")
ratio = rows[1][1]["append"]["receipts_per_second"] / rows[0][1]["append"]["receipts_per_second"]
print(f"PostgreSQL append rate / SQLite's: {ratio:.2f}")
EOF
echo "load after: $(uptime | sed 's/.*load average: //')"
