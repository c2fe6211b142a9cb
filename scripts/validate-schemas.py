#!/usr/bin/env python3
"""Validates the event schemas and the domain fixtures against them.

1. Every Schemas/events/*.schema.json is a valid JSON Schema 2020-12 document
   (checked against the 2020-12 metaschema) with the expected $id.
2. Every Tests/LedgerDomainTests/Fixtures/valid/*.json is accepted by the
   envelope schema; every invalid/<code>--<name>.json is refused.
3. Every Fixtures/stored/v<N>/<Type>.json of the current version has data the
   type's schema accepts.
4. Every line of Fixtures/export/*.jsonl (a real daemon's export) is accepted
   by record.schema.json.
5. Schemas/protocol/*.schema.json are valid 2020-12 documents whose examples
   they accept.

The Swift test `SchemaAgreementTests` feeds the same fixtures through
SubmissionDecoder, so the schemas and the code agree on every one.

Two places where the ledger's contract is stricter than a plain JSON Schema
validator, made explicit here rather than hidden:
- integers: JSON Schema counts 90.0 as an integer; the ledger holds no
  floating-point numbers, so the "integer" type here excludes Python floats;
- patterns: ECMA-262 (what JSON Schema specifies) anchors `$` at the very
  end; Python's `re` also lets it match before a final newline, so `$` at
  the end of a pattern is read as `\\Z`;
- formats: "date" is asserted (2013-02-30 is not a date).

Exit status: 0 when all agree, 1 otherwise (each disagreement is printed).
Needs: pip install jsonschema (4.18+ for `referencing`).
"""
import json
import re
import sys
from pathlib import Path

import jsonschema
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "Schemas" / "events"
FIXTURES = ROOT / "Tests" / "LedgerDomainTests" / "Fixtures"
BASE = "https://schemas.ledger.invalid/events/"
CURRENT_SCHEMA_VERSION = 1


def ecma_pattern(validator, pattern, instance, schema):
    """`pattern` with ECMA-262's `$` (the very end of the string)."""
    if not validator.is_type(instance, "string"):
        return
    python_pattern = re.sub(r"(?<!\\)\$$", r"\\Z", pattern)
    if not re.search(python_pattern, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def is_integer(checker, instance):
    return isinstance(instance, int) and not isinstance(instance, bool)


LedgerValidator = jsonschema.validators.extend(
    Draft202012Validator,
    validators={"pattern": ecma_pattern},
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", is_integer),
)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main():
    failures = []
    schemas = {}
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        schema = load(path)
        try:
            Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as e:
            failures.append(f"{path.name}: not a valid 2020-12 schema: {e.message}")
        if schema.get("$id") != BASE + path.name:
            failures.append(f"{path.name}: $id is {schema.get('$id')!r}, want {BASE + path.name!r}")
        # Without "$schema", subschemas reached through $ref keep LedgerValidator
        # (jsonschema switches to the stock class for a document naming its dialect).
        schemas[path.name] = {k: v for k, v in schema.items() if k != "$schema"}
    if "envelope.schema.json" not in schemas:
        print("Schemas/events/envelope.schema.json is missing")
        return 1

    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s, default_specification=DRAFT202012)) for s in schemas.values()
    )
    format_checker = Draft202012Validator.FORMAT_CHECKER

    def validator(name):
        return LedgerValidator(schemas[name], registry=registry, format_checker=format_checker)

    envelope = validator("envelope.schema.json")
    event_types = set(schemas["envelope.schema.json"]["properties"]["type"]["enum"])
    for t in sorted(event_types):
        if f"{t}.schema.json" not in schemas:
            failures.append(f"no schema for event type {t}")

    counts = {"valid": 0, "invalid": 0, "stored": 0}
    for path in sorted((FIXTURES / "valid").glob("*.json")):
        counts["valid"] += 1
        errors = list(envelope.iter_errors(load(path)))
        if errors:
            failures.append(f"valid/{path.name}: refused by the schema: {errors[0].message}")

    for path in sorted((FIXTURES / "invalid").glob("*.json")):
        counts["invalid"] += 1
        if "--" not in path.stem:
            failures.append(f"invalid/{path.name}: name it <error-code>--<description>.json")
        if envelope.is_valid(load(path)):
            failures.append(f"invalid/{path.name}: accepted by the schema, but the ledger refuses it "
                            f"({path.stem.split('--')[0]})")

    for path in sorted((FIXTURES / "stored").glob("v*/*.json")):
        counts["stored"] += 1
        record = load(path)
        if record.get("schemaVersion") != int(path.parent.name[1:]):
            failures.append(f"stored/{path.parent.name}/{path.name}: schemaVersion does not match its folder")
        if record.get("schemaVersion") == CURRENT_SCHEMA_VERSION:
            name = f"{record.get('type')}.schema.json"
            if name not in schemas:
                failures.append(f"stored/{path.parent.name}/{path.name}: unknown type {record.get('type')!r}")
                continue
            errors = list(validator(name).iter_errors(record.get("data")))
            if errors:
                failures.append(f"stored/{path.parent.name}/{path.name}: data refused: {errors[0].message}")

    # Real export lines (a daemon's `ledgerctl export`) against the record schema.
    record = validator("record.schema.json")
    counts["export"] = 0
    for path in sorted((FIXTURES / "export").glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            counts["export"] += 1
            errors = list(record.iter_errors(json.loads(line)))
            if errors:
                failures.append(f"export/{path.name}:{number}: refused by record.schema.json: {errors[0].message}")

    # The protocol's schemas: valid documents, and their examples valid.
    protocol_examples = 0
    for path in sorted((ROOT / "Schemas" / "protocol").glob("*.schema.json")):
        schema = load(path)
        try:
            Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as e:
            failures.append(f"protocol/{path.name}: not a valid 2020-12 schema: {e.message}")
            continue
        checker = LedgerValidator({k: v for k, v in schema.items() if k != "$schema"}, format_checker=format_checker)
        for example in schema.get("examples", []):
            protocol_examples += 1
            errors = list(checker.iter_errors(example))
            if errors:
                failures.append(f"protocol/{path.name}: example {json.dumps(example)[:80]} refused: {errors[0].message}")

    for failure in failures:
        print("FAIL", failure)
    print(f"{len(schemas)} schemas, {counts['valid']} valid, {counts['invalid']} invalid, "
          f"{counts['stored']} stored fixtures, {counts['export']} export lines, {protocol_examples} protocol examples: {len(failures)} disagreement(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
