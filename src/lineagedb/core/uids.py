"""Random base62 uids.

>>> from lineagedb.core.uids import base62
>>> len(base62(12))
12
"""

from __future__ import annotations

import hashlib
import secrets

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def base62(n: int) -> str:
    """A random base62 string of ``n`` characters (one urandom call: fast enough for bulk creation)."""
    number = int.from_bytes(secrets.token_bytes(n), "big")  # 8n random bits for ~5.95n bits of uid
    chars = []
    for _ in range(n):
        number, rem = divmod(number, 62)
        chars.append(BASE62[rem])
    return "".join(chars)


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
