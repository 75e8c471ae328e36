// In headless Chromium (Debian's chromium, driven by playwright-core):
// (a) every case of test-vectors/*.json through the web (ESM) build, with exactly the core's
//     verdicts, values and codes;
// (b) the auditor page with the example bundle shows every item valid;
// (c) with the tampered bundle it shows exactly the failing items and their reasons;
// (d) a governed node's exported Governance scroll (from `vm-node demo`) verifies as a chain
//     and ends at the constitution hash `vm-verify governance` computes;
// and that the page works from file://, from a static server and as the single-file build,
// without a network request of its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { serve, launch, fileUrl, repoRoot } from './helpers.mjs';

const vectorsDir = path.join(repoRoot, 'test-vectors');
const bundlesDir = path.join(vectorsDir, 'bundles');
const expectTampered = JSON.parse(fs.readFileSync(path.join(bundlesDir, 'tampered.expect.json'), 'utf8'));

let browser;
let server;
before(async () => {
  browser = await launch();
  server = await serve();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('(a) every vector through the WebAssembly build in Chromium', async (t) => {
  const files = {};
  for (const f of fs.readdirSync(vectorsDir).filter((f) => f.endsWith('.json')).sort()) {
    files[f] = fs.readFileSync(path.join(vectorsDir, f), 'utf8');
  }
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.origin}/test/harness.html`);
  const { results, userAgent } = await page.evaluate(async (files) => {
    const api = await import('/pkg/web/vaultmesh_wasm.js');
    await api.default();
    const { runAll } = await import('/test/vectors.mjs');
    return { results: runAll(api, files), userAgent: navigator.userAgent };
  }, files);
  await page.close();
  assert.deepEqual(errors, []);
  assert.match(userAgent, /HeadlessChrome|Chrome/);
  assert.ok(results.length > 250, `${results.length} cases`);
  for (const r of results) {
    await t.test(`${r.file}: ${r.op}: ${r.name}`, () => assert.deepStrictEqual(r.outcome, r.expect));
  }
});

/** Opens the page at `url`, gives it `bundle` through the file chooser, waits for the report. */
async function openWithBundle(url, bundle) {
  return openWithFile(url, path.join(bundlesDir, bundle));
}

/** Opens the page at `url`, gives it the file at `file` through the file chooser. */
async function openWithFile(url, file) {
  const page = await browser.newPage();
  const seen = { requests: [], errors: [] };
  page.on('request', (r) => seen.requests.push(r.url()));
  page.on('pageerror', (e) => seen.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') seen.errors.push(m.text()); });
  await page.goto(url);
  await page.waitForSelector('body[data-ready=true]');
  await page.setInputFiles('#bundle-file', file);
  await page.waitForSelector('#verdict');
  return { page, seen };
}

async function itemsOnPage(page) {
  return page.$$eval('#report .item', (els) => els.map((e) => ({
    path: e.dataset.path, verdict: e.dataset.verdict, error: e.dataset.error,
    reason: e.querySelector('.reason')?.textContent ?? '',
  })));
}

const origins = (urls) => [...new Set(urls.map((u) => new URL(u).origin === 'null' ? 'file:' : new URL(u).origin))];

for (const [where, url] of [['from file://', () => fileUrl('page/index.html')], ['from a static server', () => `${server.origin}/page/index.html`],
  ['as the single-file build', () => fileUrl('dist/vaultmesh-auditor.html')]]) {
  test(`(b) the example bundle, ${where}: everything valid`, async () => {
    const { page, seen } = await openWithBundle(url(), 'example.json');
    assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'valid');
    assert.match(await page.textContent('#verdict h2'), /Everything in this bundle verifies/);
    const items = await itemsOnPage(page);
    const summary = JSON.parse(fs.readFileSync(path.join(bundlesDir, 'example.json'), 'utf8'));
    assert.ok(items.length >= 30, `${items.length} items shown`);
    assert.deepEqual(items.filter((i) => i.verdict !== 'valid'), []);
    assert.match(await page.textContent('#verdict .count.valid'), new RegExp(`^${items.length} valid$`));
    // Grouped by scroll, with the scroll's growth proven between its checkpoints.
    const scrolls = await page.$$eval('#report .scroll', (els) => els.map((e) => e.dataset.scroll));
    assert.deepEqual(scrolls, summary.scrolls.map((s) => `${s.mesh_id}/${s.scroll}`));
    assert.equal(await page.locator('.growth line.unproven').count(), 0);
    assert.equal(await page.locator('.growth line.proven').count(), 2);
    // A receipt's inclusion path, drawn up to the checkpoint's root.
    const receipt = page.locator('.item[data-path="scrolls[0].receipts[2]"]');
    await receipt.locator('summary').click();
    await receipt.locator('.show-path').click();
    assert.equal(await receipt.locator('.path .root.match').count(), 1);
    assert.equal(await receipt.locator('.path .level').count(), 1 + 3); // root + 3 levels for 6 leaves
    // No request but the page's own files, and the page cannot open a connection at all.
    assert.deepEqual(seen.errors, []);
    const own = url().startsWith('file:') ? ['file:'] : [server.origin];
    assert.deepEqual(origins(seen.requests), own);
    const blocked = await page.evaluate((o) => fetch(`${o}/page/index.html`).then(() => 'fetched', () => 'blocked'), server.origin);
    assert.equal(blocked, 'blocked');
    await page.close();
  });
}

test('(d) a governed node\'s Governance bundle: the chain verifies to the hash vm-verify computes', async () => {
  // The debug build scripts/test.sh made: the demo governs a second mesh (PROP-2025-12-001 and
  // on), then its Governance scroll is exported as the node serves it to auditors.
  const bin = (name) => path.join(process.env.CARGO_TARGET_DIR || path.join(repoRoot, 'target'), 'debug', name);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-governed-'));
  try {
    execFileSync(bin('vm-node'), ['demo', '--dir', dir], { stdio: 'ignore' });
    const bundle = path.join(dir, 'governance-bundle.json');
    execFileSync(bin('vm-node'), ['export-bundle', '--data', path.join(dir, 'governed'), '--scroll', 'Governance', '--out', bundle], { stdio: 'ignore' });
    const chain = path.join(dir, 'chain.json');
    fs.writeFileSync(chain, JSON.stringify(JSON.parse(fs.readFileSync(bundle, 'utf8')).governance));
    const verdict = JSON.parse(execFileSync(bin('vm-verify'), ['governance', chain, '--json'], { encoding: 'utf8' }));
    assert.equal(verdict.valid, true);

    const { page, seen } = await openWithFile(fileUrl('page/index.html'), bundle);
    assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'valid');
    const items = await itemsOnPage(page);
    assert.deepEqual(items.filter((i) => i.verdict !== 'valid'), []);
    const chainItem = items.find((i) => i.path === 'governance');
    assert.ok(chainItem, `no governance chain item among ${items.map((i) => i.path)}`);
    assert.equal(items.filter((i) => i.path.startsWith('governance.receipts')).length, verdict.receipts);
    // The versions table ends at the constitution vm-verify reached, hash in full in the tooltip.
    const rows = await page.evaluate(() => {
      const h3 = [...document.querySelectorAll('#report h3')].find((h) => h.textContent === 'Constitution versions');
      return [...h3.nextElementSibling.querySelectorAll('tbody tr')].map((tr) => ({
        version: tr.cells[0].textContent, hash: tr.cells[1].querySelector('.hash')?.title,
      }));
    });
    assert.ok(rows.some((r) => r.version === '1.1.0'), JSON.stringify(rows));
    assert.deepEqual(rows.at(-1), { version: verdict.final_version, hash: verdict.final_hash });
    assert.deepEqual(seen.errors, []);
    await page.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('(c) the tampered bundle: the failing items and their reasons', async () => {
  const { page, seen } = await openWithBundle(fileUrl('page/index.html'), 'tampered.json');
  assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'invalid');
  assert.match(await page.textContent('#verdict h2'), /fail verification/);
  const items = await itemsOnPage(page);
  const shown = {};
  for (const it of items) {
    if (it.verdict === 'valid') continue;
    shown[it.path] = it;
  }
  assert.deepEqual(Object.keys(shown).sort(), Object.keys(expectTampered.items).sort());
  for (const [p, e] of Object.entries(expectTampered.items)) {
    const it = shown[p];
    assert.equal(it.verdict, e.verdict, p);
    if (e.error) {
      assert.equal(it.error, e.error, p);
      assert.match(it.reason, new RegExp(`^${e.error} \\(\\d+\\): `), p);
    } else {
      assert.match(it.reason, /^not checked: depends on|^not checked: the chain stops/, p);
    }
    // The failed check is marked in the item's list of checks.
    const mark = await page.locator(`.item[data-path="${p}"] .checks li[data-check="${e.check}"]`).getAttribute('class');
    assert.equal(mark, `v-${e.verdict}`, p);
  }
  assert.match(await page.textContent('#verdict'), /8 invalid.*3 not checked.*1 unproven growth step/s);
  assert.equal(await page.locator('.growth line.unproven').count(), expectTampered.unproven_growth);
  // The tampered inclusion proof does not reach the checkpoint's root, and the drawing says so.
  const receipt = page.locator('.item[data-path="scrolls[1].receipts[0]"]');
  await receipt.locator('summary').click();
  await receipt.locator('.show-path').click();
  assert.equal(await receipt.locator('.path .root.mismatch').count(), 1);
  // "Only problems" hides the valid items.
  await page.check('#problems-only');
  assert.equal(await page.locator('.item[data-verdict=valid]:visible').count(), 0);
  assert.equal(await page.locator('.item[data-verdict=invalid]:visible').count(), 8);
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test('the page: dropped files, pinned keys and files that are not bundles', async () => {
  const page = await browser.newPage();
  await page.goto(fileUrl('page/index.html'));
  await page.waitForSelector('body[data-ready=true]');
  const drop = async (name, text) => page.evaluate(([name, text]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], name, { type: 'application/json' }));
    document.getElementById('drop').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [name, text]);
  const example = fs.readFileSync(path.join(bundlesDir, 'example.json'), 'utf8');
  await drop('dropped.json', example);
  await page.waitForSelector('#verdict[data-verdict=valid]');
  assert.equal(await page.locator('#unpinned-warning').count(), 1);
  // A wrong pinned key for Dublin: what Dublin signed fails.
  const keys = JSON.parse(example).keys;
  await page.locator('#keys-panel summary').click();
  await page.fill('#pinned-keys', JSON.stringify({ 'did:vm:mesh:dublin': keys['did:vm:mesh:oslo'] }));
  await page.click('#reverify');
  await page.waitForSelector('#verdict[data-verdict=invalid]');
  assert.equal(await page.getAttribute('.item[data-path="discovery[0]"]', 'data-error'), 'KEY_MISMATCH');
  // The right one: valid, and the key is marked pinned.
  await page.fill('#pinned-keys', JSON.stringify({ 'did:vm:mesh:dublin': keys['did:vm:mesh:dublin'] }));
  await page.click('#reverify');
  await page.waitForSelector('#verdict[data-verdict=valid]');
  assert.equal(await page.getAttribute('tr[data-actor="did:vm:mesh:dublin"]', 'data-source'), 'pinned');
  assert.equal(await page.locator('#unpinned-warning').count(), 0);
  // Not a bundle: the reason, with the core's code.
  await drop('list.json', '[1,2]');
  await page.waitForSelector('#status.error');
  assert.match(await page.textContent('#status'), /list\.json is not an audit bundle: NOT_AN_OBJECT \(108\)/);
  await drop('dup.json', '{"type":"vaultmesh_audit_bundle","type":"x"}');
  await page.waitForFunction(() => document.getElementById('status').textContent.includes('dup.json'));
  assert.match(await page.textContent('#status'), /DUPLICATE_KEY \(104\)/);
  await page.close();
});

test('the benchmark page runs in Chromium', async () => {
  const page = await browser.newPage();
  await page.goto(`${fileUrl('page/bench.html')}?seconds=0.2&rounds=1&auto`);
  const result = await page.waitForFunction(() => window.benchResult, null, { timeout: 60_000 });
  const r = await result.jsonValue();
  assert.equal(r.records, 256);
  assert.ok(r.single.perSecond > 0 && r.batch.perSecond > 0, JSON.stringify(r));
  await page.close();
});
