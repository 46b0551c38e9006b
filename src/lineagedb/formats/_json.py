"""JSON files load as Python objects (dicts, lists, ...).

>>> artifact.load()   # {'a': 1}  # doctest: +SKIP
"""

from __future__ import annotations

import json
from typing import Any

from . import register


def load_json(path: Any) -> Any:
    local = not hasattr(path, "fs") or getattr(path, "protocol", "") in ("", "file")
    with open(path, "rb") if local else path.open("rb") as f:
        return json.load(f)


register(".json", load=load_json)
