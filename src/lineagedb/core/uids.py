"""Random base62 uids.

>>> from lineagedb.core.uids import base62
>>> len(base62(12))
12
"""

from __future__ import annotations

import hashlib
import secrets

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


_TO_BASE62 = bytes(BASE62[b % 62].encode()[0] for b in range(256))
_BIASED = bytes(range(248, 256))  # 248 = 4 * 62: dropping these bytes keeps every character equally likely


def base62(n: int) -> str:
    """A random base62 string of ``n`` characters (uniform; fast enough for bulk creation)."""
    out = b""
    while len(out) < n:
        out += secrets.token_bytes(n + 8).translate(_TO_BASE62, _BIASED)
    return out[:n].decode()


def base62_from_text(text: str, n: int) -> str:
    """A deterministic base62 string of ``n`` characters derived from ``text`` (e.g. an ontology id)."""
    number = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=16).digest(), "big")
    chars = []
    for _ in range(n):
        number, rem = divmod(number, 62)
        chars.append(BASE62[rem])
    return "".join(chars)


def encode_version_suffix(index: int) -> str:
    """The 4-character version suffix of the ``index``-th version (0 -> ``0000``)."""
    chars = []
    for _ in range(4):
        index, rem = divmod(index, 62)
        chars.append(BASE62[rem])
    return "".join(reversed(chars))


def decode_version_suffix(suffix: str) -> int:
    """Inverse of :func:`encode_version_suffix`."""
    value = 0
    for ch in suffix:
        value = value * 62 + BASE62.index(ch)
    return value
