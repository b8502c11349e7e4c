#!/usr/bin/env python3
"""docs/vigil.schema.json, as an editor uses it: every example validates, typical mistakes do not.

Exit 77 (skipped) when python3-jsonschema or python3-yaml is missing."""
import json
import pathlib
import sys

try:
    import tomllib
    import jsonschema
    import yaml
except ImportError as missing:
    print(f"VIGIL-SKIP: {missing} (install python3-jsonschema python3-yaml)")
    sys.exit(77)

root = pathlib.Path(sys.argv[1])
schema = json.loads((root / "docs/vigil.schema.json").read_text())
jsonschema.Draft7Validator.check_schema(schema)
validator = jsonschema.Draft7Validator(schema)

failures = 0
examples = sorted((root / "config-examples").rglob("*.toml")) + sorted((root / "config-examples").rglob("*.yaml"))
for path in examples:
    document = tomllib.loads(path.read_text()) if path.suffix == ".toml" else yaml.safe_load(path.read_text())
    errors = list(validator.iter_errors(document))
    for error in errors:
        print(f"{path}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
    failures += bool(errors)
    print(f"{'FAIL' if errors else 'ok'}: {path.relative_to(root)}")

bad = {
    "priority out of range": 'vrrp_instance = { VI_1 = { interface = "eth0", virtual_router_id = 1, priority = 300 } }',
    "unknown key": 'vrrp_instance = { VI_1 = { interface = "eth0", virtual_router_id = 1, priorty = 100 } }',
    "missing VRID": 'vrrp_instance = { VI_1 = { interface = "eth0" } }',
    "string priority": 'vrrp_instance = { VI_1 = { interface = "eth0", virtual_router_id = 1, priority = "100" } }',
    "bad duration": 'vrrp_script = { s = { script = "true", interval = "1.5 s" } }',
    "empty argv": 'vrrp_script = { s = { script = [] } }',
    "unknown section": 'vrrp_instances = {}',
}
for name, text in bad.items():
    if validator.is_valid(tomllib.loads(text)):
        print(f"FAIL: the schema accepts a config with a mistake: {name}")
        failures += 1
    else:
        print(f"ok: rejects {name}")
sys.exit(1 if failures else 0)
