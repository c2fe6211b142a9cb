#!/usr/bin/env python3
"""Writes a libFuzzer dictionary of the JSON tokens the schemas name (member
names, event types, enum values, verbs), each quoted as it appears on the
wire, so that the fuzzer's mutations speak the ledger's vocabulary.

usage: scripts/fuzz-dict.py OUT (run from the repository's root)"""
import glob
import json
import sys

tokens = set()


def walk(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                tokens.update(value.keys())
            elif key == "enum" and isinstance(value, list):
                tokens.update(v for v in value if isinstance(v, str))
            elif key == "const" and isinstance(value, str):
                tokens.add(value)
            walk(value)
    elif isinstance(node, list):
        for item in node:
            walk(item)


for path in sorted(glob.glob("Schemas/events/*.json") + glob.glob("Schemas/protocol/*.json")):
    walk(json.load(open(path, encoding="utf-8")))
    name = path.rsplit("/", 1)[-1].split(".")[0]
    if name[:1].isupper():
        tokens.add(name)  # an event type


def entry(token):
    raw = ('"' + token + '"').encode("utf-8")
    return '"' + "".join(chr(b) if 0x20 <= b < 0x7F and b not in (0x22, 0x5C) else "\\x%02X" % b for b in raw) + '"'


with open(sys.argv[1], "w", encoding="ascii") as out:
    for token in sorted(tokens):
        out.write(entry(token) + "\n")
print(f"{len(tokens)} tokens written to {sys.argv[1]}")
