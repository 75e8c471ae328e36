// (a) under Node: every case of every file in test-vectors/ through the Node build of the
// package, expecting exactly the `expect` object the core's own runner produces
// (core/tests/vectors/run.rs): the same verdict, computed values, error name and code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as api from '@vaultmesh/verify';
import { parseRaw, runCase } from './vectors.mjs';

const dir = new URL('../../../test-vectors/', import.meta.url);
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

test('the vector files are all there', () => {
  assert.ok(files.length >= 9, files.join(', '));
});

for (const name of files) {
  test(name, async (t) => {
    const text = fs.readFileSync(new URL(name, dir), 'utf8');
    const raw = parseRaw(text);
    const plain = JSON.parse(text);
    const keyrings = new Map();
    for (const [k, c] of raw.cases.entries()) {
      await t.test(`${c.op}: ${plain.cases[k].name}`, () => {
        assert.deepStrictEqual(runCase(api, raw, c, keyrings), plain.cases[k].expect);
      });
    }
  });
}
