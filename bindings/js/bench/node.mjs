// Receipts verified per second under Node, single and batch, over the receipts of
// core/benches/verify.rs (bench/gov-votes.json), with the loops of page/bench.js.
//   node bench/node.mjs [--seconds 2] [--rounds 5] [--json]
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as api from '@vaultmesh/verify';

const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const seconds = arg('--seconds', 2);
const rounds = arg('--rounds', 5);
const fixture = JSON.parse(fs.readFileSync(new URL('gov-votes.json', import.meta.url), 'utf8'));
const records = fixture.records;
const ring = new api.Keyring(fixture.keyring);

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

for (const r of records) api.verifyRecord(r, ring);
let i = 0;
const single = () => { api.verifyRecord(records[i], ring); i = (i + 1) % records.length; };
const batch = () => {
  const out = api.verifyRecords(records, ring);
  if (out.length !== records.length || !out[0].valid) throw new Error('batch verification failed');
};
timed(single, 1);
const result = { records: records.length, seconds, node: process.version, single: { rounds: [] }, batch: { rounds: [] } };
for (let r = 0; r < rounds; r++) {
  result.single.rounds.push(Math.round(timed(single, 1)));
  result.batch.rounds.push(Math.round(timed(batch, records.length)));
}
for (const k of ['single', 'batch']) {
  result[k].perSecond = median(result[k].rounds);
  result[k].best = Math.max(...result[k].rounds);
}
if (process.argv.includes('--json')) console.log(JSON.stringify(result));
else {
  console.log(`Node ${process.version}, ${records.length} gov_vote receipts, ${rounds} rounds of ${seconds} s`);
  console.log(`verifyRecord:  median ${result.single.perSecond}/s, best ${result.single.best}/s`);
  console.log(`verifyRecords: median ${result.batch.perSecond}/s, best ${result.batch.best}/s`);
}
