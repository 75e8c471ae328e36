#!/usr/bin/env bash
# scripts/bench-node-paired.sh OLD_VM_NODE NEW_VM_NODE [RECEIPTS] [ROUNDS] [PROOFS]
#
# The node's append rate and proof latency, paired against a previous build in one run
# (docs/PERFORMANCE.md, "Node"). Each round starts a fresh node of each build (old, then new)
# on its own data directory and loopback port and runs the same load — NEW's `vm-node bench`,
# so the client is identical — against it; it prints every run and, per round, new/old for the
# append rate and the proof p99. The two runs of a round are seconds apart, under the same load
# from whatever else the machine is doing, which is what makes the ratio meaningful.
#
# Build the previous node with, e.g.:
#   git worktree add /tmp/vm-old 5eb6a8d && (cd /tmp/vm-old && cargo build --release -p vaultmesh-node)
set -euo pipefail
old="${1:?usage: bench-node-paired.sh OLD_VM_NODE NEW_VM_NODE [RECEIPTS] [ROUNDS] [PROOFS]}"
new="${2:?usage: bench-node-paired.sh OLD_VM_NODE NEW_VM_NODE [RECEIPTS] [ROUNDS] [PROOFS]}"
receipts="${3:-1000000}"
rounds="${4:-1}"
proofs="${5:-20000}"
work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# run LABEL BINARY ROUND: prints the bench's JSON report on stdout.
run() {
  local label="$1" bin="$2" dir="$work/$1-$3" port
  port="$(free_port)"
  # A plain mesh on both builds: the governed default (a constitution, its keys) came later.
  local plain=()
  "$bin" init --help 2>&1 | grep -q -- --no-governance && plain=(--no-governance)
  "$bin" init --mesh-id "did:vm:mesh:bench-$label" --data "$dir" --listen "127.0.0.1:$port" "${plain[@]}" >/dev/null
  "$bin" serve --data "$dir" >"$dir.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  "$new" bench --data "$dir" --url "http://127.0.0.1:$port" --receipts "$receipts" \
    --batch 1000 --connections 2 --proofs "$proofs" --json
  kill -TERM "$pid"; wait "$pid" || true; pid=""
  rm -rf "$dir"
}

field() { python3 -c "import json,sys; r=json.load(sys.stdin); print(round(r$1, 3))"; }

echo "paired node bench: $receipts receipts, $proofs proofs, $rounds round(s); load: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
  o="$(run old "$old" "$round")"
  n="$(run new "$new" "$round")"
  for pair in "old:$o" "new:$n"; do
    label="${pair%%:*}"; r="${pair#*:}"
    printf '%s  %s receipts/s  proof p50 %s ms  p99 %s ms  %s bytes/receipt\n' "$label" \
      "$(field '["append"]["receipts_per_second"]' <<<"$r" | cut -d. -f1)" \
      "$(field '["proofs"]["ms_p50"]' <<<"$r")" "$(field '["proofs"]["ms_p99"]' <<<"$r")" \
      "$(field '["store"]["bytes_per_receipt"]' <<<"$r" | cut -d. -f1)"
  done
  python3 - "$o" "$n" <<'PY'
import json, sys
o, n = (json.loads(a) for a in sys.argv[1:3])
print("round: appends new/old %.3f, proof p99 new/old %.3f (new p99 %.2f ms)" % (
    n["append"]["receipts_per_second"] / o["append"]["receipts_per_second"],
    n["proofs"]["ms_p99"] / o["proofs"]["ms_p99"], n["proofs"]["ms_p99"]))
PY
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
