#!/usr/bin/env python3
"""Extracts the member-name skeleton of every JSON record example of the protocol document.

Usage: extract-skeletons.py [--check] [PROTOCOL_MD]

PROTOCOL_MD defaults to $VAULTMESH_PROTOCOL_MD, else /work/shared/design/protocol.md. Every
```json block is matched to the heading above it; a block under a heading this script does not
know is an error, so a new example in the document cannot be missed. For each record example it
writes `<name>.skeleton.json` beside this script; with --check it writes nothing and exits 1 when
a committed skeleton differs.

A skeleton keeps the example's member names at every depth and nothing else:
  object  -> the same member names, each mapped to the skeleton of its value
  array   -> [] when no element is an object or array, else [merge of the elements' skeletons]
             (objects merge by the union of their members)
  scalar  -> null
  `[...]` -> "..." (the document elides the content: any value matches)
core/tests/protocol_examples.rs computes the same skeleton of each vector and compares.
"""

import json
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Heading above the block -> vector name. None: the block is not a record (reason given).
BLOCKS = {
    "Discovery Record": "discovery",
    "Trust Proposal": "trust-proposal",
    "Federation Agreement": "agreement",
    "Witness Protocol": "witness-receipt",  # under "**Witness Receipt**:"
    "Cross-Anchor": "cross-anchor",
    "Proposal Receipt": "gov-proposal",
    "Vote Receipt": "gov-vote",
    "Ratification Receipt": "gov-ratification",
    "Amendment Receipt": "gov-amendment",
    "Executive Orders": "gov-executive-order",
    "Emergency Declaration": "gov-emergency-declaration",
    "Violation Detection": "gov-violation",
    "Enforcement Action": "gov-enforcement",
    "Engine Registry": None,
}
SKIPPED = {
    "Engine Registry": "the constitution's `registered_engines` member, not a signed record "
    "(no signature domain in wire format §3); the governance vectors' constitutions carry it",
}

ELIDED = "(elided by the document)"


def blocks(text):
    """Yields (heading, block text) for every ```json block, heading = nearest '#' line above."""
    heading = None
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        if line.strip() == "```json":
            j = i + 1
            while lines[j].strip() != "```":
                j += 1
            yield heading, "\n".join(lines[i + 1 : j])
            i = j
        i += 1


def no_duplicates(pairs):
    names = [k for k, _ in pairs]
    if len(names) != len(set(names)):
        raise ValueError(f"duplicate member in {names}")
    return dict(pairs)


def parse_example(block):
    # `[...]` is the document's "content elided"; it is not JSON.
    text = re.sub(r"\[\s*\.\.\.\s*\]", lambda _: json.dumps(ELIDED), block)
    return json.loads(text, object_pairs_hook=no_duplicates)


def merge(a, b):
    if a is None:
        return b
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for k, v in b.items():
            out[k] = merge(out[k], v) if k in out else v
        return out
    if a == b:
        return a
    raise ValueError(f"array elements of different shapes: {a!r} / {b!r}")


def skeleton(value):
    if value == ELIDED:
        return "..."
    if isinstance(value, dict):
        return {k: skeleton(v) for k, v in value.items()}
    if isinstance(value, list):
        inner = None
        for item in value:
            if isinstance(item, (dict, list)):
                inner = merge(inner, skeleton(item))
        return [] if inner is None else [inner]
    return None


def render(value):
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    source = Path(args[0] if args else os.environ.get("VAULTMESH_PROTOCOL_MD", "/work/shared/design/protocol.md"))
    found, stale = [], []
    for heading, block in blocks(source.read_text(encoding="utf-8")):
        if heading not in BLOCKS:
            sys.exit(f"json block under unknown heading {heading!r}: add it to BLOCKS")
        name = BLOCKS[heading]
        if name is None:
            print(f"skipped  {heading}: {SKIPPED[heading]}")
            continue
        if name in found:
            sys.exit(f"two json blocks map to {name}")
        found.append(name)
        text = render(skeleton(parse_example(block)))
        path = HERE / f"{name}.skeleton.json"
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
        print(f"{'checked' if check else 'wrote'}  {heading} -> {path.name}")
    missing = sorted(set(v for v in BLOCKS.values() if v) - set(found))
    if missing:
        sys.exit(f"no json block for {missing}")
    if stale:
        sys.exit(f"skeletons differ from {source}: {stale}; run {Path(__file__).name} without --check")


if __name__ == "__main__":
    main(sys.argv[1:])
