// Native, Node and Chromium receipt verification in one session, round by round, on the same
// receipts (bench/gov-votes.json = core/benches/verify.rs's) with the same loops:
//   native   wasm/examples/native_bench.rs (the core from Rust, release profile)
//   Node     bench/node.mjs (the package's Node build)
//   Chromium page/bench.html in headless Chromium (the page's WebAssembly module)
// Each round runs the three one after the other, so load from other work on the machine falls
// on all three alike; the ratios are computed per round and their median reported.
//   node bench/run.mjs [--seconds 2] [--rounds 5]      (after ./build.sh)
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { launch, fileUrl, jsRoot, repoRoot } from '../test/helpers.mjs';

const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const seconds = arg('--seconds', 2);
const rounds = arg('--rounds', 5);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

execFileSync('cargo', ['build', '--release', '-q', '-p', 'vaultmesh-wasm', '--example', 'native_bench'], { cwd: repoRoot, stdio: 'inherit' });
const meta = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], { cwd: repoRoot, maxBuffer: 1 << 26 }));
const nativeBin = path.join(meta.target_directory, 'release', 'examples', 'native_bench');

const browser = await launch();
const page = await browser.newPage();
const results = { native: [], node: [], chromium: [] };
for (let r = 0; r < rounds; r++) {
  const native = JSON.parse(execFileSync(nativeBin, ['--seconds', String(seconds), '--rounds', '1']));
  const node = JSON.parse(execFileSync(process.execPath, [path.join(jsRoot, 'bench', 'node.mjs'), '--seconds', String(seconds), '--rounds', '1', '--json']));
  await page.goto(`${fileUrl('page/bench.html')}?seconds=${seconds}&rounds=1&auto`);
  const chromium = await (await page.waitForFunction(() => window.benchResult, null, { timeout: 300_000 })).jsonValue();
  if (chromium.error) throw new Error(chromium.error);
  results.native.push({ single: native.single.rounds[0], batch: native.batch.rounds[0] });
  results.node.push({ single: node.single.rounds[0], batch: node.batch.rounds[0] });
  results.chromium.push({ single: chromium.single.rounds[0], batch: chromium.batch.rounds[0], userAgent: chromium.userAgent });
  console.error(`round ${r + 1}: native ${native.single.rounds[0]}/${native.batch.rounds[0]}, node ${node.single.rounds[0]}/${node.batch.rounds[0]}, chromium ${chromium.single.rounds[0]}/${chromium.batch.rounds[0]} (single/batch receipts per second)`);
}
await browser.close();

const col = (who, k) => results[who].map((x) => x[k]);
const ratio = (a, b, k) => median(results[a].map((x, i) => x[k] / results[b][i][k]));
const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(`\n${rounds} rounds of ${seconds} s each; ${results.chromium[0].userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? 'Chromium'}, Node ${process.version}\n`);
console.log('| path | native (Rust) | Node | Chromium | native / Node | native / Chromium |');
console.log('|---|---|---|---|---|---|');
for (const [k, label] of [['single', 'one receipt at a time (`verify_record` / `verifyRecord`)'], ['batch', '256 per call (`verify_batch` / `verifyRecords`)']]) {
  console.log(`| ${label} | ${fmt(median(col('native', k)))}/s | ${fmt(median(col('node', k)))}/s | ${fmt(median(col('chromium', k)))}/s | ${ratio('native', 'node', k).toFixed(2)}× | ${ratio('native', 'chromium', k).toFixed(2)}× |`);
}
console.log(`| Chromium batch vs native single | | | | | ${(median(results.native.map((x, i) => x.single / results.chromium[i].batch))).toFixed(2)}× |`);
console.log(`\nrounds (single): native ${col('native', 'single').join(', ')}; node ${col('node', 'single').join(', ')}; chromium ${col('chromium', 'single').join(', ')}`);
console.log(`rounds (batch):  native ${col('native', 'batch').join(', ')}; node ${col('node', 'batch').join(', ')}; chromium ${col('chromium', 'batch').join(', ')}`);
