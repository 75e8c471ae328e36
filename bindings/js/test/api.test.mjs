// The package's API under Node: errors, keyrings, argument checks, batch verification, and the
// example and tampered bundles of test-vectors/bundles/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import * as api from '@vaultmesh/verify';

const vectors = new URL('../../../test-vectors/', import.meta.url);
const read = (p) => fs.readFileSync(new URL(p, vectors), 'utf8');
const signatures = JSON.parse(read('signatures.json'));
const goodVote = signatures.cases.find((c) => c.op === 'verify_record' && c.expect.valid && c.input.includes('gov_vote'));

test('require() and import give the same Node build', () => {
  const cjs = createRequire(import.meta.url)('@vaultmesh/verify');
  assert.equal(cjs.verifyRecord, api.verifyRecord);
  assert.match(api.version(), /^\d+\.\d+\.\d+$/);
});

test('a failure is a VaultMeshError with the core code, name and field', () => {
  const ring = new api.Keyring(signatures.keyring);
  assert.throws(() => api.canonicalize('{"a":1,"a":2}'), (e) => {
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'VaultMeshError');
    assert.equal(e.code, 104);
    assert.equal(e.vmName, 'DUPLICATE_KEY');
    assert.equal(e.field, undefined);
    assert.match(e.message, /^DUPLICATE_KEY \(104\): /);
    return true;
  });
  const tampered = goodVote.input.replace('"vote":"approve"', '"vote":"reject"');
  assert.notEqual(tampered, goodVote.input);
  assert.throws(() => api.verifyRecord(tampered, ring), { name: 'VaultMeshError', code: 403, vmName: 'SIGNATURE_MISMATCH', field: 'signature' });
  assert.throws(() => api.verifyRecord(goodVote.input, new api.Keyring()), { code: 400, vmName: 'UNKNOWN_SIGNER', field: 'voter' });
});

test('errors() lists every core error once, and errorName maps codes', () => {
  const all = api.errors();
  assert.ok(all.length >= 80);
  assert.deepEqual(all.find((e) => e.code === 104), { code: 104, name: 'DUPLICATE_KEY', message: 'duplicate member name in a JSON object' });
  assert.equal(new Set(all.map((e) => e.code)).size, all.length);
  assert.equal(api.errorName(505), 'CHECKPOINT_MISMATCH');
  assert.equal(api.errorName(1), undefined);
});

test('Keyring: keys are checked once, normalised, listed', () => {
  const ring = new api.Keyring(JSON.stringify(signatures.keyring));
  assert.equal(ring.size, Object.keys(signatures.keyring).length);
  const alice = signatures.keyring['did:vm:human:alice'];
  assert.equal(ring.get('did:vm:human:alice'), alice);
  assert.equal(ring.get('did:vm:human:nobody'), undefined);
  ring.insert('did:vm:human:zed', alice.replace('ed25519:', 'did:key:'));
  assert.equal(ring.get('did:vm:human:zed'), alice);
  assert.equal(JSON.parse(JSON.stringify(ring))['did:vm:human:zed'], alice);
  assert.throws(() => ring.insert('x', 'ed25519:nope'), { vmName: 'MALFORMED_KEY' });
  assert.throws(() => new api.Keyring({ a: 'ed25519:z6Mk' }), { name: 'VaultMeshError' });
  assert.equal(new api.Keyring().size, 0);
  ring.free();
});

test('arguments of the wrong type are TypeErrors', () => {
  const ring = new api.Keyring();
  assert.throws(() => api.verifyRecord(42, ring), TypeError);
  assert.throws(() => api.merkleRoot('not an array'), TypeError);
  assert.throws(() => api.proveInclusion(['{}'], -1), TypeError);
  assert.throws(() => api.canonicalize('{}', { maxBytes: 'big' }), TypeError);
  assert.throws(() => api.verifyRecord('{}', ring, { kind: 7 }), TypeError);
});

test('bytes and text give the same verdict; BOM and invalid UTF-8 only reach the core as bytes', () => {
  const ring = new api.Keyring(signatures.keyring);
  const bytes = new TextEncoder().encode(goodVote.input);
  assert.deepEqual(api.verifyRecord(bytes, ring), api.verifyRecord(goodVote.input, ring));
  assert.throws(() => api.canonicalize(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])), { vmName: 'BYTE_ORDER_MARK' });
  assert.throws(() => api.canonicalize(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])), { vmName: 'INVALID_UTF8' });
});

test('verifyRecords gives every item the verdict of verifyRecord', () => {
  const ring = new api.Keyring(signatures.keyring);
  const inputs = signatures.cases.filter((c) => c.op === 'verify_record' && c.input && !c.kind && !c.keyring).map((c) => c.input);
  assert.ok(inputs.length > 20);
  const batch = api.verifyRecords(inputs, ring);
  assert.equal(batch.length, inputs.length);
  inputs.forEach((input, i) => {
    let single;
    try {
      single = api.verifyRecord(input, ring);
    } catch (e) {
      single = { valid: false, error: e.vmName, code: e.code };
    }
    const b = batch[i];
    assert.equal(b.valid, single.valid, `item ${i}`);
    if (b.valid) assert.deepEqual(b, single);
    else assert.deepEqual({ valid: b.valid, error: b.error, code: b.code }, single, `item ${i}`);
  });
});

test('proofs may be given as objects', () => {
  const recs = ['{"n":0}', '{"n":1}', '{"n":2}'];
  const root = api.merkleRoot(recs);
  const proof = api.proveInclusion(recs, 2);
  assert.deepEqual(Object.keys(proof).sort(), ['leaf_index', 'path', 'tree_size']);
  assert.equal(api.verifyInclusion(recs[2], proof, root, 3), true);
  assert.throws(() => api.verifyInclusion(recs[1], proof, root, 3), { vmName: 'INCLUSION_PROOF_MISMATCH' });
  assert.throws(() => api.verifyInclusion(recs[2], proof, root, 4), { vmName: 'CHECKPOINT_MISMATCH' });
  const old = api.merkleRoot(recs.slice(0, 2));
  assert.equal(api.verifyConsistency(api.proveConsistency(recs, 2), old, root), true);
  assert.deepEqual(api.jsonlRoot(recs.join('\n') + '\n'), { root, tree_size: 3 });
});

const bundle = (name) => fs.readFileSync(new URL(`bundles/${name}`, vectors));
const expectTampered = JSON.parse(read('bundles/tampered.expect.json'));

function items(report) {
  const s = report.sections;
  return [...s.keys, ...s.discovery, ...s.agreements,
    ...s.scrolls.flatMap((sc) => [...sc.checkpoints, ...sc.consistency, ...sc.receipts, ...sc.witnesses]),
    ...s.cross_anchors, ...s.governance];
}

test('the example bundle: every item valid', () => {
  const report = api.verifyBundle(bundle('example.json'), new api.Keyring());
  assert.equal(report.type, 'vaultmesh_bundle_report');
  assert.equal(report.verdict, 'valid');
  assert.equal(report.valid, true);
  const all = items(report);
  assert.equal(all.length, report.summary.items);
  assert.ok(all.length >= 30);
  assert.deepEqual(all.filter((i) => i.verdict !== 'valid').map((i) => i.path), []);
  assert.ok(report.keys.every((k) => k.source === 'bundle'));
  assert.ok(report.sections.scrolls[0].growth.every((g) => g.proven));
});

test('the tampered bundle: exactly the expected items fail, for the expected reasons', () => {
  const report = api.verifyBundle(bundle('tampered.json'), new api.Keyring());
  assert.equal(report.verdict, expectTampered.verdict);
  assert.equal(report.summary.unproven_growth, expectTampered.unproven_growth);
  const seen = {};
  for (const it of items(report)) {
    const e = expectTampered.items[it.path];
    if (!e) {
      assert.equal(it.verdict, 'valid', `${it.path}: ${JSON.stringify(it.checks)}`);
      continue;
    }
    const check = it.checks.find((c) => c.verdict !== 'valid');
    seen[it.path] = { verdict: it.verdict, check: check.check, ...(check.error ? { error: check.error } : {}) };
    if (e.error) assert.equal(it.code, api.errors().find((x) => x.name === e.error).code);
  }
  assert.deepEqual(seen, expectTampered.items);
});

test('pinned keys: the right one is marked pinned, a wrong one fails what it signed', () => {
  const example = JSON.parse(bundle('example.json'));
  const dublin = example.keys['did:vm:mesh:dublin'];
  const ok = api.verifyBundle(bundle('example.json'), new api.Keyring({ 'did:vm:mesh:dublin': dublin }));
  assert.equal(ok.verdict, 'valid');
  assert.equal(ok.keys.find((k) => k.actor === 'did:vm:mesh:dublin').source, 'pinned');
  const wrong = api.verifyBundle(bundle('example.json'), new api.Keyring({ 'did:vm:mesh:dublin': example.keys['did:vm:mesh:oslo'] }));
  assert.equal(wrong.verdict, 'invalid');
  const byPath = Object.fromEntries(items(wrong).map((i) => [i.path, i]));
  assert.equal(byPath['discovery[0]'].error, 'KEY_MISMATCH');
  assert.equal(byPath['scrolls[0].checkpoints[0]'].error, 'SIGNATURE_MISMATCH');
});

test('a file that is not a bundle throws', () => {
  assert.throws(() => api.verifyBundle('[]', new api.Keyring()), { vmName: 'NOT_AN_OBJECT' });
  assert.throws(() => api.verifyBundle('{"type":"vaultmesh_audit_bundle","version":2}', new api.Keyring()), { vmName: 'INVALID_FIELD', field: 'version' });
  assert.throws(() => api.verifyBundle('{"type":"x","type":"y"}', new api.Keyring()), { vmName: 'DUPLICATE_KEY' });
});

test('verifyGovernanceChain: the example chain is valid; a broken one names the receipt', () => {
  const example = JSON.parse(bundle('example.json'));
  const report = api.verifyGovernanceChain(example.governance);
  assert.equal(report.valid, true);
  assert.equal(report.verified, report.receipts);
  assert.deepEqual(report.versions.map((v) => v.version), ['1.0.0', '1.0.1']);
  const broken = JSON.parse(bundle('tampered.json')).governance;
  const r = api.verifyGovernanceChain(JSON.stringify(broken));
  assert.equal(r.valid, false);
  assert.deepEqual({ index: r.violation.index, error: r.violation.error, code: r.violation.code }, { index: 4, error: 'SIGNATURE_MISMATCH', code: 403 });
  assert.equal(api.verifyGovernanceChain('{').violation.error, 'JSON_SYNTAX');
});

test('TypeScript declarations come with both builds', () => {
  for (const build of ['web', 'node']) {
    const dts = fs.readFileSync(new URL(`../pkg/${build}/vaultmesh_wasm.d.ts`, import.meta.url), 'utf8');
    for (const name of ['canonicalize', 'receiptHash', 'verifyRecord', 'verifyAgreement', 'verifyCheckpoint', 'verifyWitness',
      'verifyCrossAnchor', 'merkleRoot', 'verifyInclusion', 'verifyConsistency', 'verifyGovernanceChain', 'verifyBundle']) {
      assert.match(dts, new RegExp(`export function ${name}\\(`), `${build}: ${name}`);
    }
    assert.match(dts, /export interface VaultMeshError extends Error/);
    assert.match(dts, /export class Keyring/);
  }
});

test('SecretKey: key files, signing, and what it refuses', () => {
  const signing = JSON.parse(read('signing.json'));
  const key = api.SecretKey.fromKeyFile(signing.key_file);
  assert.equal(key.publicKey, signing.keyring['did:vm:human:partner']);
  assert.equal(key.toKeyFile(), signing.key_file);
  const vote = { type: 'gov_vote', vote_id: 'VOTE-js', proposal_id: 'PROP-2025-12-001', voter: 'did:vm:human:partner',
    voted_at: '2025-12-09T14:05:00Z', vote: 'reject', weight: 0.25 };
  const signed = key.sign(JSON.stringify(vote));
  assert.equal(api.verifyRecord(signed, new api.Keyring(signing.keyring)).kind, 'gov_vote');
  assert.throws(() => key.sign(JSON.stringify({ ...vote, voted_at: 'yesterday' })), { vmName: 'MALFORMED_TIMESTAMP', field: 'voted_at' });
  assert.throws(() => api.SecretKey.fromKeyFile('ed25519-seed:' + 'Ab'.repeat(32)), (e) => e.code === 800 && !e.message.includes('Ab'));
  assert.throws(() => api.SecretKey.fromSeed(new Uint8Array(31)), TypeError);
  const fresh = api.SecretKey.generate();
  assert.notEqual(fresh.publicKey, key.publicKey);
  assert.equal(api.SecretKey.fromKeyFile(fresh.toKeyFile()).publicKey, fresh.publicKey);
  fresh.free();
  key.free();
});
