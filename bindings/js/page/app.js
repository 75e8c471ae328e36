// The auditor page: reads a bundle, verifies it with the VaultMesh core (WebAssembly, loaded
// from the inlined module in vendor/), and shows the report.
//
// Plain JavaScript in a classic script, no framework and no build step: the page must open
// from file:// (where Chromium refuses ES modules and fetch) and be easy to audit itself.
// Everything the bundle says is shown with textContent, never parsed as HTML.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const SVG = 'http://www.w3.org/2000/svg';

  /** Creates an element with attributes (`class`, `data-*`, `title`, …) and children. */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /** `blake3:0123abcd…` shortened for display; the full text in the tooltip. */
  function hash(text) {
    if (typeof text !== 'string') return el('span', { class: 'hash' }, String(text));
    const short = text.startsWith('blake3:') ? `${text.slice(0, 15)}…${text.slice(-4)}` : text.length > 28 ? `${text.slice(0, 22)}…` : text;
    return el('span', { class: 'hash', title: text }, short);
  }

  // ---------------------------------------------------------------------------------------------
  // The core.

  let api = null;
  const ready = (async () => {
    const bin = atob(VAULTMESH_WASM_BASE64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    await wasm_bindgen({ module_or_path: bytes });
    api = wasm_bindgen;
    $('core-version').textContent = `v${api.version()}`;
    document.body.dataset.ready = 'true';
  })().catch((e) => {
    status(`The verification core could not start: ${e && e.message ? e.message : e}`, true);
    throw e;
  });

  function status(text, isError) {
    const s = $('status');
    s.textContent = text;
    s.className = isError ? 'error' : '';
  }

  /** The pinned keys from the text area, as a Keyring (empty when the area is empty). */
  function pinnedKeyring() {
    const text = $('pinned-keys').value.trim();
    return text ? new api.Keyring(text) : new api.Keyring();
  }

  let last = null; // { input, source }

  async function verify(input, source) {
    last = { input, source };
    await ready;
    status(`Verifying ${source}…`);
    let keyring;
    try {
      keyring = pinnedKeyring();
    } catch (e) {
      status(`Keys you trust: ${describeError(e)}`, true);
      return;
    }
    let report;
    const t0 = performance.now();
    try {
      report = api.verifyBundle(input, keyring);
    } catch (e) {
      $('report').hidden = true;
      status(`${source} is not an audit bundle: ${describeError(e)}`, true);
      return;
    } finally {
      keyring.free();
    }
    const ms = performance.now() - t0;
    status(`Verified ${source} in ${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms.`);
    render(report, source);
  }

  function describeError(e) {
    if (e && e.name === 'VaultMeshError') return `${e.vmName} (${e.code}): ${e.message.replace(/^[A-Z_]+ \(\d+\): /, '')}`;
    return e && e.message ? e.message : String(e);
  }

  // ---------------------------------------------------------------------------------------------
  // The report.

  const VERDICT_TEXT = { valid: 'valid', invalid: 'invalid', not_checked: 'not checked' };
  const BADGE = { valid: '✓', invalid: '✗', not_checked: '–' };
  const KIND_TEXT = {
    key: 'Keys', discovery: 'Discovery records', agreement: 'Agreements', checkpoint: 'Checkpoints',
    consistency: 'Consistency proofs', receipt: 'Receipts', witness: 'Witness receipts',
    cross_anchor: 'Cross-anchors', governance_chain: 'Governance chain', governance_receipt: 'Governance receipts',
  };
  const SOURCE_TEXT = {
    pinned: 'pinned by you', bundle: 'from the bundle', discovery: 'from a discovery record', agreement: 'from an agreement',
  };

  function render(report, source) {
    const root = $('report');
    root.replaceChildren();
    root.hidden = false;
    root.dataset.verdict = report.verdict;
    root.append(banner(report, source));
    root.append(byKind(report.summary.by_kind));
    root.append(keysPanel(report.keys));

    const only = el('input', { type: 'checkbox', id: 'problems-only' });
    only.checked = document.body.classList.contains('problems-only');
    only.addEventListener('change', () => document.body.classList.toggle('problems-only', only.checked));
    root.append(el('div', { class: 'toolbar' }, el('label', {}, only, ' Show only items that are not valid')));

    const s = report.sections;
    section(root, 'Keys in the bundle', s.keys);
    section(root, 'Discovery records', s.discovery);
    section(root, 'Agreements', s.agreements);
    if (s.scrolls.length) {
      root.append(el('h2', {}, 'Scrolls'));
      for (const sc of s.scrolls) root.append(scroll(sc));
    }
    section(root, 'Cross-anchors', s.cross_anchors);
    if (s.governance.length) {
      root.append(el('h2', {}, 'Governance'));
      root.append(governance(s.governance));
    }
  }

  function banner(report, source) {
    const titles = {
      valid: 'Everything in this bundle verifies',
      invalid: 'Some items of this bundle fail verification',
      incomplete: 'Nothing fails, but not everything could be checked',
    };
    const sm = report.summary;
    const counts = el('div', { class: 'counts' },
      el('span', { class: 'count valid' }, `${sm.valid} valid`),
      el('span', { class: 'count invalid' }, `${sm.invalid} invalid`),
      el('span', { class: 'count not_checked' }, `${sm.not_checked} not checked`),
      sm.unproven_growth ? el('span', { class: 'count not_checked' }, `${sm.unproven_growth} unproven growth step${sm.unproven_growth > 1 ? 's' : ''}`) : null);
    const dl = el('dl', {},
      el('dt', {}, 'File'), el('dd', {}, source),
      el('dt', {}, 'Bundle hash'), el('dd', { class: 'hash' }, report.bundle_hash),
      report.created_at ? [el('dt', {}, 'Created'), el('dd', {}, report.created_at)] : null,
      report.description ? [el('dt', {}, 'Description'), el('dd', {}, report.description)] : null);
    return el('div', { class: 'banner', id: 'verdict', 'data-verdict': report.verdict },
      el('h2', {}, titles[report.verdict] || report.verdict), counts, dl);
  }

  function byKind(byKind) {
    const rows = Object.entries(byKind).map(([kind, c]) => el('tr', { 'data-kind': kind },
      el('td', {}, KIND_TEXT[kind] || kind),
      el('td', { class: 'num' }, c.valid), el('td', { class: 'num' }, c.invalid), el('td', { class: 'num' }, c.not_checked)));
    return el('details', { open: true },
      el('summary', {}, 'By kind'),
      el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'kind'), el('th', {}, 'valid'), el('th', {}, 'invalid'), el('th', {}, 'not checked'))),
        el('tbody', {}, rows)));
  }

  function keysPanel(keys) {
    const pinned = keys.filter((k) => k.source === 'pinned').length;
    const warn = pinned === 0
      ? el('p', { class: 'warn', id: 'unpinned-warning' },
        'No key was pinned: every key below comes from the bundle itself. The report shows that the bundle is consistent with those keys; compare them with keys you trust (or paste those above) to know who signed it.')
      : null;
    const rows = keys.map((k) => el('tr', { 'data-actor': k.actor, 'data-source': k.source },
      el('td', {}, k.actor), el('td', {}, hash(k.key)), el('td', {}, SOURCE_TEXT[k.source] || k.source), el('td', {}, k.path || '')));
    return el('details', { open: true },
      el('summary', {}, `Keys used (${keys.length})`), warn,
      el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'actor'), el('th', {}, 'key'), el('th', {}, 'source'), el('th', {}, 'from'))),
        el('tbody', {}, rows)));
  }

  function section(root, title, items) {
    if (!items.length) return;
    root.append(el('h2', {}, title));
    for (const it of items) root.append(item(it));
  }

  function reasonOf(it) {
    if (it.verdict === 'valid') return null;
    if (it.error) {
      const check = it.checks.find((c) => c.verdict === 'invalid');
      const note = check && check.note ? ` — ${check.note}` : '';
      return `${it.error} (${it.code}): ${it.message}${note}`;
    }
    return `not checked: ${it.note || 'a check could not be made'}`;
  }

  function item(it, extra) {
    const reason = reasonOf(it);
    const summary = el('summary', {},
      el('span', { class: 'badge', 'aria-label': VERDICT_TEXT[it.verdict] }, BADGE[it.verdict] || '?'),
      el('span', { class: 'label' }, it.label),
      reason ? el('span', { class: 'reason' }, reason) : null);
    const checks = el('ul', { class: 'checks' }, it.checks.map((c) => el('li', { class: `v-${c.verdict}`, 'data-check': c.check },
      c.description,
      c.error ? el('strong', {}, ` — ${c.error} (${c.code}): ${c.message}`) : null,
      c.note ? el('span', { class: 'muted' }, ` — ${c.note}`) : null)));
    const body = el('div', { class: 'item-body' }, checks, details(it.details), extra ? extra(it) : null,
      el('p', { class: 'muted' }, 'in the bundle at ', el('code', {}, it.path)));
    return el('details', { class: 'item', 'data-path': it.path, 'data-kind': it.kind, 'data-verdict': it.verdict, 'data-error': it.error || '' },
      summary, body);
  }

  const SKIP_DETAILS = new Set(['steps', 'versions', 'proposals', 'violation']);

  function details(d) {
    const entries = Object.entries(d || {}).filter(([k]) => !SKIP_DETAILS.has(k));
    if (!entries.length) return null;
    return el('dl', { class: 'details' }, entries.map(([k, v]) => [
      el('dt', {}, k.replace(/_/g, ' ')),
      el('dd', {}, Array.isArray(v) ? v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ')
        : typeof v === 'string' && v.startsWith('blake3:') ? hash(v)
          : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)),
    ]));
  }

  // A scroll: its growth between checkpoints, then its items by kind.
  function scroll(sc) {
    const box = el('section', { class: 'scroll', 'data-scroll': `${sc.mesh_id}/${sc.scroll}` },
      el('h3', {}, `${sc.mesh_id} / ${sc.scroll}`));
    box.append(growth(sc));
    const groups = [['Checkpoints', sc.checkpoints], ['Consistency proofs', sc.consistency], ['Receipts', sc.receipts], ['Witness receipts', sc.witnesses]];
    for (const [title, items] of groups) {
      if (!items.length) continue;
      box.append(el('h3', {}, `${title} (${items.length})`));
      for (const it of items) box.append(item(it, it.kind === 'receipt' ? inclusionPath : null));
    }
    return box;
  }

  /** The scroll's valid checkpoints on a line by size; between consecutive ones, a solid green
   *  segment when a verified consistency proof links them, dashed amber when none does. */
  function growth(sc) {
    const points = [];
    for (const it of sc.checkpoints) {
      if (it.verdict === 'valid' && typeof it.details.tree_size === 'number') points.push(it.details);
    }
    const wrap = el('div', { class: 'growth' });
    if (!points.length) {
      wrap.append(el('p', { class: 'muted' }, 'No valid checkpoint: the scroll\'s size and root are not established.'));
      return wrap;
    }
    points.sort((a, b) => a.tree_size - b.tree_size);
    const max = points[points.length - 1].tree_size || 1;
    const W = 1000; const x = (n) => 80 + (n / max) * (W - 160);
    const s = svg('svg', { viewBox: `0 0 ${W} 92`, role: 'img',
      'aria-label': `growth of ${sc.mesh_id}/${sc.scroll}` });
    s.append(svg('line', { class: 'axis', x1: x(0), y1: 46, x2: x(max), y2: 46 }));
    for (const g of sc.growth) {
      s.append(svg('line', { class: g.proven ? 'proven' : 'unproven', x1: x(g.old_size), y1: 46, x2: x(g.new_size), y2: 46,
        'data-step': `${g.old_size}-${g.new_size}` }));
      s.append(svg('text', { x: (x(g.old_size) + x(g.new_size)) / 2, y: 30, 'text-anchor': 'middle' },
        g.proven ? 'consistency proven' : 'no consistency proof'));
    }
    for (const p of points) {
      s.append(svg('circle', { cx: x(p.tree_size), cy: 46, r: 7 }));
      s.append(svg('text', { x: x(p.tree_size), y: 72, 'text-anchor': 'middle' }, `size ${p.tree_size}`));
      s.append(svg('text', { x: x(p.tree_size), y: 86, 'text-anchor': 'middle' }, p.timestamp || ''));
    }
    s.append(svg('text', { x: x(0), y: 72, 'text-anchor': 'middle' }, '0'));
    wrap.append(s);
    return wrap;
  }

  /** For a receipt: its audit path drawn from the root (top) down to its leaf. */
  function inclusionPath(it) {
    const d = it.details;
    if (!Array.isArray(d.steps)) return null;
    const button = el('button', { type: 'button', class: 'button show-path' }, 'Show the inclusion path');
    const holder = el('div', { class: 'path', hidden: true });
    button.addEventListener('click', () => {
      if (!holder.childElementCount) drawPath(holder, d);
      holder.hidden = !holder.hidden;
      button.textContent = holder.hidden ? 'Show the inclusion path' : 'Hide the inclusion path';
    });
    return el('div', {}, button, holder);
  }

  function drawPath(holder, d) {
    const steps = d.steps;
    const top = steps.length ? steps[steps.length - 1].node : d.leaf_hash;
    const match = top === d.root;
    holder.append(el('div', { class: 'level' },
      el('div', { class: `node root ${match ? 'match' : 'mismatch'}` },
        el('span', { class: 'what' }, match ? `root of the checkpoint (size ${d.tree_size}) ✓` : `computed root ≠ checkpoint root ${d.root}`),
        top)));
    for (let k = steps.length - 1; k >= 0; k--) {
      const ours = k === 0 ? d.leaf_hash : steps[k - 1].node;
      const sibling = el('div', { class: 'node' }, el('span', { class: 'what' }, `sibling, path[${k}]`), steps[k].sibling);
      const mine = el('div', { class: 'node ours' }, el('span', { class: 'what' }, k === 0 ? `leaf ${d.leaf_index} (this receipt)` : 'computed'), ours);
      holder.append(el('div', { class: 'arrow' }, '↑ blake3(0x01 ‖ left ‖ right)'));
      holder.append(el('div', { class: 'level' }, steps[k].side === 'left' ? [sibling, mine] : [mine, sibling]));
    }
    if (!steps.length) holder.append(el('p', { class: 'muted' }, 'A tree of one leaf: the leaf hash is the root.'));
  }

  function governance(items) {
    const box = el('div', {});
    const chain = items[0];
    box.append(item(chain, (it) => {
      const d = it.details;
      const rows = (d.versions || []).map((v) => el('tr', {},
        el('td', {}, v.version), el('td', {}, hash(v.constitution_hash)), el('td', {}, v.proposal_id || 'genesis'), el('td', {}, v.effective_at || '')));
      const props = (d.proposals || []).map((p) => el('tr', {},
        el('td', {}, p.proposal_id), el('td', {}, p.proposal_type), el('td', {}, p.phase),
        el('td', {}, `${p.tally.approve} approve, ${p.tally.reject} reject, ${p.tally.abstain} abstain`)));
      return el('div', {},
        el('h3', {}, 'Constitution versions'),
        el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'version'), el('th', {}, 'hash'), el('th', {}, 'by'), el('th', {}, 'effective'))), el('tbody', {}, rows)),
        props.length ? [el('h3', {}, 'Proposals'), el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'proposal'), el('th', {}, 'type'), el('th', {}, 'phase'), el('th', {}, 'tally'))), el('tbody', {}, props))] : null);
    }));
    if (items.length > 1) {
      box.append(el('h3', {}, `Receipts (${items.length - 1})`));
      for (const it of items.slice(1)) box.append(item(it));
    }
    return box;
  }

  // ---------------------------------------------------------------------------------------------
  // Input: file chooser, drag and drop, the examples.

  async function readFile(file) {
    if (!file) return;
    const bytes = new Uint8Array(await file.arrayBuffer());
    await verify(bytes, file.name);
  }

  $('bundle-file').addEventListener('change', (e) => readFile(e.target.files[0]));
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    readFile(e.dataTransfer.files[0]);
  });
  $('example-valid').addEventListener('click', () => verify(VAULTMESH_EXAMPLES.example, 'example.json'));
  $('example-tampered').addEventListener('click', () => verify(VAULTMESH_EXAMPLES.tampered, 'tampered.json'));
  $('reverify').addEventListener('click', () => { if (last) verify(last.input, last.source); });
})();
