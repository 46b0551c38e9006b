"""lineagedb.core.hashing: full-content BLAKE3 in 22 url-safe base64 characters, for bytes, files and folders.

The literal expected values were computed with the ``blake3`` package directly (first 16 bytes of the digest,
url-safe base64 without padding), not with lineagedb.
"""

from __future__ import annotations

import base64
import io

import blake3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineagedb.core import hashing


def reference(data: bytes) -> str:
    return base64.urlsafe_b64encode(blake3.blake3(data).digest()[:16]).decode().rstrip("=")


@pytest.mark.parametrize(("data", "expected"), [
    (b"", "rxNJufX5oaagQE3qNtzJSQ"),
    (b"hello", "6o8WPbOGgpJeRJHF5Y1Lsw"),
    (b"a", "F3Yv3dlppFOSXWVxesPuog"),
])
def test_hash_bytes_known_values(data, expected):
    assert hashing.hash_bytes(data) == expected


def test_hash_of_large_file_known_value(tmp_path):
    """3 MiB: above the size where files are memory-mapped instead of read."""
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * (3 << 20))
    assert hashing.hash_file(path) == ("6LfmD1Ug2rG6rECrs6k07w", "blake3", 3 << 20, None)


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=4096))
def test_hash_bytes_is_blake3_in_22_urlsafe_characters(data):
    h = hashing.hash_bytes(data)
    assert h == reference(data)
    assert len(h) == 22
    assert set(h) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@settings(max_examples=50, deadline=None)
@given(st.binary(min_size=1, max_size=64), st.binary(min_size=1, max_size=64))
def test_moving_a_byte_between_parts_changes_the_hash_of_the_pair(a, b):
    """Hashing parts separately is not hashing their concatenation: the boundary matters to a folder hash."""
    shifted = (a + b[:1], b[1:])
    assert hashing.folder_hash([("x", hashing.hash_bytes(a)), ("y", hashing.hash_bytes(b))]) != \
        hashing.folder_hash([("x", hashing.hash_bytes(shifted[0])), ("y", hashing.hash_bytes(shifted[1]))])


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=256), st.integers(min_value=0, max_value=255), st.integers(min_value=0))
def test_changing_any_byte_changes_the_hash(data, value, where):
    data = data or b"\0"
    i = where % len(data)
    if data[i] == value:
        value = (value + 1) % 256
    changed = data[:i] + bytes([value]) + data[i + 1:]
    assert hashing.hash_bytes(changed) != hashing.hash_bytes(data)


def test_hash_file_and_stream_agree_with_bytes(tmp_path):
    data = bytes(range(256)) * 100
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    expected = hashing.Hashed(reference(data), hashing.HASH_TYPE, len(data), None)
    assert hashing.hash_file(path) == expected
    assert hashing.hash_stream(io.BytesIO(data)) == expected


def test_hash_stream_reads_more_than_one_chunk():
    data = b"ab" * (hashing.CHUNK // 2) + b"tail"
    hashed = hashing.hash_stream(io.BytesIO(data), size=len(data))
    assert hashed.size == len(data)
    assert hashed.hash == reference(data)


def test_empty_file_hashes_like_empty_bytes(tmp_path):
    path = tmp_path / "empty"
    path.write_bytes(b"")
    assert hashing.hash_file(path) == (reference(b""), "blake3", 0, None)


@pytest.mark.parametrize("size", [10, 3 << 20])
def test_copy_file_hashed_copies_every_byte_and_hashes_the_source(tmp_path, size):
    data = (b"0123456789abcdef" * (size // 16 + 1))[:size]
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.write_bytes(data)
    hashed = hashing.copy_file_hashed(src, dst)
    assert dst.read_bytes() == data
    assert hashed == (reference(data), "blake3", size, None)


def test_copy_file_hashed_raises_when_the_target_cannot_be_written(tmp_path):
    src = tmp_path / "src"
    src.write_bytes(b"y" * (2 << 20))
    with pytest.raises(OSError):
        hashing.copy_file_hashed(src, tmp_path / "missing-folder" / "dst")


def _tree(root):
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_bytes(b"a")
    (root / "sub" / "b.txt").write_bytes(b"b")
    return root


def test_folder_hash_known_value(tmp_path):
    hashed = hashing.hash_folder(_tree(tmp_path / "d"))
    assert hashed == ("KzH02kiSrTGj9BUOv3D0bw", "blake3-folder", 2, 2)
    # the documented form: sorted "relative path<TAB>file hash" lines
    lines = f"a.txt\t{reference(b'a')}\nsub/b.txt\t{reference(b'b')}"
    assert hashed.hash == reference(lines.encode())


def test_folder_hash_ignores_pair_order_but_not_names_or_content():
    pairs = [("a", reference(b"1")), ("b/c", reference(b"2"))]
    assert hashing.folder_hash(pairs) == hashing.folder_hash(list(reversed(pairs)))
    assert hashing.folder_hash(pairs) != hashing.folder_hash([("a", reference(b"1")), ("b/d", reference(b"2"))])
    assert hashing.folder_hash(pairs) != hashing.folder_hash([("a", reference(b"1")), ("b/c", reference(b"3"))])


def test_folder_hash_changes_when_a_file_is_renamed_or_edited(tmp_path):
    root = _tree(tmp_path / "d")
    before = hashing.hash_folder(root).hash
    (root / "a.txt").rename(root / "c.txt")
    renamed = hashing.hash_folder(root).hash
    (root / "c.txt").write_bytes(b"A")
    edited = hashing.hash_folder(root).hash
    assert len({before, renamed, edited}) == 3


def test_empty_folders_do_not_count(tmp_path):
    root = _tree(tmp_path / "d")
    before = hashing.hash_folder(root)
    (root / "empty").mkdir()
    assert hashing.hash_folder(root) == before


def test_copy_folder_hashed_mirrors_the_tree_with_the_same_hash(tmp_path):
    src = _tree(tmp_path / "src")
    hashed = hashing.copy_folder_hashed(src, tmp_path / "dst")
    assert hashed == hashing.hash_folder(src)
    assert (tmp_path / "dst" / "sub" / "b.txt").read_bytes() == b"b"
    assert hashing.hash_folder(tmp_path / "dst") == hashed


def test_copy_folder_hashed_refuses_an_existing_target(tmp_path):
    src = _tree(tmp_path / "src")
    (tmp_path / "dst").mkdir()
    with pytest.raises(FileExistsError):
        hashing.copy_folder_hashed(src, tmp_path / "dst")
