// The browser benchmark (bench.html): receipts verified per second, single and batch, over the
// receipts of core/benches/verify.rs. bench/run.mjs opens this page in headless Chromium and
// reads window.benchResult; bench/node.mjs runs the same loops under Node.
'use strict';

(function () {
  const params = new URLSearchParams(location.search);
  const seconds = Number(params.get('seconds')) || 2;
  const rounds = Number(params.get('rounds')) || 5;
  const state = (t) => { document.getElementById('state').textContent = t; };
  const pause = () => new Promise((r) => setTimeout(r, 0));

  const ready = (async () => {
    const bin = atob(VAULTMESH_WASM_BASE64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    await wasm_bindgen({ module_or_path: bytes });
    return wasm_bindgen;
  })();

  /** Runs `step` (which verifies `n` receipts) for `seconds`; returns receipts per second. */
  function timed(step, n) {
    const t0 = performance.now();
    let done = 0;
    let now = t0;
    while (now - t0 < seconds * 1000) {
      step();
      done += n;
      now = performance.now();
    }
    return done / ((now - t0) / 1000);
  }

  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

  async function run() {
    const api = await ready;
    const fixture = VAULTMESH_BENCH_FIXTURE;
    const records = fixture.records;
    const ring = new api.Keyring(fixture.keyring);
    for (const r of records) api.verifyRecord(r, ring); // all valid, and a warm-up
    let i = 0;
    const single = () => { api.verifyRecord(records[i], ring); i = (i + 1) % records.length; };
    const batch = () => {
      const out = api.verifyRecords(records, ring);
      if (out.length !== records.length || !out[0].valid) throw new Error('batch verification failed');
    };
    timed(single, 1);
    const result = { records: records.length, seconds, userAgent: navigator.userAgent, single: { rounds: [] }, batch: { rounds: [] } };
    for (let r = 0; r < rounds; r++) {
      state(`round ${r + 1} of ${rounds}…`);
      await pause();
      result.single.rounds.push(Math.round(timed(single, 1)));
      await pause();
      result.batch.rounds.push(Math.round(timed(batch, records.length)));
    }
    for (const k of ['single', 'batch']) {
      result[k].perSecond = median(result[k].rounds);
      result[k].best = Math.max(...result[k].rounds);
    }
    ring.free();
    const body = document.querySelector('#results tbody');
    body.replaceChildren();
    for (const [k, label] of [['single', 'verifyRecord (one at a time)'], ['batch', `verifyRecords (${records.length} per call)`]]) {
      const tr = document.createElement('tr');
      for (const v of [label, result[k].perSecond, result[k].best, result[k].rounds.join(', ')]) {
        const td = document.createElement('td');
        td.textContent = String(v);
        tr.append(td);
      }
      body.append(tr);
    }
    state('done');
    window.benchResult = result;
  }

  document.getElementById('run').addEventListener('click', () => run().catch((e) => state(`failed: ${e.message}`)));
  if (params.has('auto')) run().catch((e) => { state(`failed: ${e.message}`); window.benchResult = { error: e.message }; });
})();
