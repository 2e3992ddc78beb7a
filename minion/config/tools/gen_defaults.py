"""Regenerate data/minion_defaults.json and data/valid_opts.json from Salt.

Run with the Salt 3008.4 interpreter: /opt/salt-3008/bin/python3 tools/gen_defaults.py
DEFAULT_MINION_OPTS is written in Salt's order; VALID_OPTS as key -> list of
type names ("str", "int", "float", "bool", "list", "tuple", "dict", "NoneType"),
or null when Salt gives no type.
"""
import json
from collections.abc import Mapping, Sequence
import os

import salt.config


def plain(value):
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (Sequence, set)) and not isinstance(value, str):
        return [plain(v) for v in value]
    return value


def type_names(spec):
    if spec is None:
        return None
    if isinstance(spec, tuple):
        names = []
        for item in spec:
            names.extend(type_names(item) or [])
        return names
    return [spec.__name__]


here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
defaults = {k: plain(v) for k, v in salt.config.DEFAULT_MINION_OPTS.items()}
valid = {k: type_names(v) for k, v in salt.config.VALID_OPTS.items()}
with open(os.path.join(here, "minion_defaults.json"), "w") as fh:
    json.dump(defaults, fh, indent=1)
    fh.write("\n")
with open(os.path.join(here, "valid_opts.json"), "w") as fh:
    json.dump(valid, fh, indent=1, sort_keys=True)
    fh.write("\n")
