// Runs the cases of test-vectors/*.json through the WebAssembly API and returns each case's
// outcome in the vectors' `expect` form, exactly as core/tests/vectors/run.rs does natively:
// `{valid: true, ...computed}` or `{valid: false, error: NAME, code: N}`.
//
// The same module runs under Node (test/vectors.test.mjs, with the Node build) and in
// Chromium (test/browser.test.mjs, with the web build): `api` is the package's module.

/** A JSON number kept as the text it was written in (`3.0`, `1e2`, `9007199254740993`). */
class RawNumber {
  constructor(text) { this.text = text; }
}

/**
 * Parses JSON keeping every number's text, so a proof written `{"leaf_index": 3.0}` reaches
 * the verifier as `3.0` (JSON.parse would give 3, and `3.0` is not a plain integer: §9).
 * Only for the project's own vector files, which are valid JSON.
 */
export function parseRaw(text) {
  let i = 0;
  const ws = () => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };
  const value = () => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++; const o = {}; ws();
      if (text[i] === '}') { i++; return o; }
      for (;;) {
        ws(); const k = string(); ws(); i++; // ':'
        o[k] = value(); ws();
        if (text[i++] === '}') return o;
      }
    }
    if (c === '[') {
      i++; const a = []; ws();
      if (text[i] === ']') { i++; return a; }
      for (;;) {
        a.push(value()); ws();
        if (text[i++] === ']') return a;
      }
    }
    if (c === '"') return string();
    if (text.startsWith('true', i)) { i += 4; return true; }
    if (text.startsWith('false', i)) { i += 5; return false; }
    if (text.startsWith('null', i)) { i += 4; return null; }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) throw new SyntaxError(`bad JSON at ${i}`);
    i += m[0].length;
    return new RawNumber(m[0]);
  };
  const string = () => {
    const start = i; i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const v = value();
  return v;
}

/** JSON text of a value from parseRaw, numbers exactly as written. */
export function stringifyRaw(v) {
  if (v instanceof RawNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(stringifyRaw).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${stringifyRaw(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

const num = (v) => (v instanceof RawNumber ? Number(v.text) : v);

function hexBytes(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let k = 0; k < out.length; k++) out[k] = parseInt(hex.slice(2 * k, 2 * k + 2), 16);
  return out;
}

/**
 * The outcome of case `c` (from parseRaw) of vector file `file` (from parseRaw) through `api`.
 * `keyrings` caches one api.Keyring per keyring object.
 */
export function runCase(api, file, c, keyrings = new Map()) {
  const keysOf = (obj) => {
    const text = stringifyRaw(obj);
    if (!keyrings.has(text)) keyrings.set(text, new api.Keyring(text));
    return keyrings.get(text);
  };
  const keys = () => keysOf(c.keyring && typeof c.keyring === 'object' ? c.keyring : file.keyring);
  const input = c.input !== undefined ? c.input : c.input_hex !== undefined ? hexBytes(c.input_hex) : undefined;
  const limits = {};
  if (c.max_bytes !== undefined) limits.maxBytes = num(c.max_bytes);
  if (c.max_depth !== undefined) limits.maxDepth = num(c.max_depth);
  try {
    switch (c.op) {
      case 'canonicalize': return { valid: true, canonical: api.canonicalize(input, limits) };
      case 'receipt_hash': return { valid: true, receipt_hash: api.receiptHash(input, limits) };
      case 'digest': return { valid: true, digest: api.parseDigest(input) };
      case 'public_key': return { valid: true, public_key: api.parsePublicKey(input) };
      case 'signature': return { valid: true, signature: api.parseSignature(input) };
      case 'timestamp': return { valid: true, timestamp: api.parseTimestamp(input) };
      case 'actor_id': api.checkActorId(input); return { valid: true };
      case 'engine_id': api.checkEngineId(input); return { valid: true };
      case 'secret_key': {
        const key = api.SecretKey.fromKeyFile(input);
        try { return { valid: true, public_key: key.publicKey }; } finally { key.free(); }
      }
      case 'sign_record': {
        const key = api.SecretKey.fromKeyFile(file.key_file);
        try {
          const options = { ...limits };
          if (c.kind !== undefined) options.kind = c.kind;
          return { valid: true, signed: key.sign(input, options) };
        } finally { key.free(); }
      }
      case 'verify_record': {
        const options = { ...limits };
        if (c.kind !== undefined) options.kind = c.kind;
        return { valid: true, receipt_hash: api.verifyRecord(input, keys(), options).receipt_hash };
      }
      case 'verify_agreement': {
        const a = api.verifyAgreement(input, keys());
        return { valid: true, agreement_hash: a.agreement_hash, trust_level: a.trust_level };
      }
      case 'verify_checkpoint': return { valid: true, receipt_hash: api.verifyCheckpoint(input, keys()).receipt_hash };
      case 'verify_witness': return { valid: true, receipt_hash: api.verifyWitness(input, keys(), c.checkpoint).receipt_hash };
      case 'verify_cross_anchor': return { valid: true, receipt_hash: api.verifyCrossAnchor(input, keys(), c.agreement).receipt_hash };
      case 'merkle_root': return { valid: true, root: api.merkleRoot(c.records) };
      case 'jsonl_root': return { valid: true, ...api.jsonlRoot(input) };
      case 'prove_inclusion': return { valid: true, proof: api.proveInclusion(c.records, num(c.index)) };
      case 'prove_consistency': return { valid: true, proof: api.proveConsistency(c.records, num(c.old_size)) };
      case 'verify_inclusion':
        api.verifyInclusion(c.record, stringifyRaw(c.proof), c.root, num(c.tree_size));
        return { valid: true };
      case 'verify_consistency':
        api.verifyConsistency(stringifyRaw(c.proof), c.old_root, c.new_root);
        return { valid: true };
      default: throw new Error(`unknown op ${c.op}`);
    }
  } catch (e) {
    if (e && e.name === 'VaultMeshError') return { valid: false, error: e.vmName, code: e.code };
    throw e;
  }
}

/**
 * Runs every case of every file: `files` maps file name → file text. Returns one result per
 * case: `{file, name, op, outcome, expect}` (expect from JSON.parse of the same text).
 */
export function runAll(api, files) {
  const results = [];
  for (const [name, text] of Object.entries(files)) {
    const raw = parseRaw(text);
    const plain = JSON.parse(text);
    const keyrings = new Map();
    raw.cases.forEach((c, k) => {
      results.push({ file: name, name: plain.cases[k].name, op: c.op, outcome: runCase(api, raw, c, keyrings), expect: plain.cases[k].expect });
    });
  }
  return results;
}
