"""lineagedb.core.storage's pure parts: artifact keys, suffixes, local or remote, managed paths."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineagedb import errors
from lineagedb.core import storage


@pytest.mark.parametrize("key", ["a.csv", "my_datasets/rnaseq1.parquet", "a/b/c/d.h5ad", "noext", "folder.zarr",
                                 "with space/ü.csv", "x" * 1024, "..a/b..", ".hidden/file"])
def test_valid_keys_are_returned(key):
    assert storage.validate_key(key) == key


def test_none_means_no_key():
    assert storage.validate_key(None) is None


@pytest.mark.parametrize(("key", "reason"), [
    ("", "it is empty"),
    ("/abs/path.csv", "absolute path"),
    ("C:/data/x.csv", "absolute path"),
    ("a\\b.csv", "backslash"),
    ("a\x00b", "control character"),
    ("a\nb", "control character"),
    ("a\x7fb", "control character"),
    ("a\ud800b", "lone surrogate"),
    ("evil\u202etxt.exe", "U+202E"),
    ("zero\u200bwidth", "U+200B"),
    ("line\u2028sep", "U+2028"),
    ("c1\x85ctl", "U+0085"),
    ("x" * 1025, "longer than 1024"),
    ("a//b", "empty segment"),
    ("a/", "empty segment"),
    ("a/./b", "'.' or '..' segment"),
    ("../x", "'.' or '..' segment"),
    ("a/..", "'.' or '..' segment"),
])
def test_invalid_keys_are_refused_naming_the_problem_and_the_fix(key, reason):
    with pytest.raises(errors.InvalidArgument) as info:
        storage.validate_key(key)
    message = str(info.value)
    assert reason in message
    assert "e.g. 'my_datasets/data.parquet'" in message


def test_long_invalid_keys_are_shortened_in_the_message():
    with pytest.raises(errors.InvalidArgument) as info:
        storage.validate_key("/" + "y" * 5000)
    assert len(str(info.value)) < 400
    assert "..." in str(info.value)


@pytest.mark.parametrize("key", [3, b"a.csv", Path("a.csv"), ["a.csv"]])
def test_non_string_keys_are_refused_naming_their_type(key):
    with pytest.raises(errors.InvalidArgument, match=type(key).__name__):
        storage.validate_key(key)


def test_composed_and_decomposed_spellings_are_one_key():
    decomposed = "cafe\u0301/re\u0301sume\u0301.csv"
    assert storage.validate_key(decomposed) == "caf\u00e9/r\u00e9sum\u00e9.csv"
    assert storage.validate_key(unicodedata.normalize("NFC", decomposed)) == storage.validate_key(decomposed)


_key_text = st.text(st.characters(codec="utf-8"), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(_key_text)
def test_a_key_once_accepted_is_stable(key):
    """What validate_key returns is NFC, is accepted again unchanged, and has no way out of its folder."""
    try:
        valid = storage.validate_key(key)
    except errors.InvalidArgument:
        return
    assert valid == unicodedata.normalize("NFC", key)
    assert storage.validate_key(valid) == valid
    parts = valid.split("/")
    assert "" not in parts and "." not in parts and ".." not in parts
    assert not valid.startswith("/") and "\\" not in valid


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=8),
                min_size=1, max_size=5))
def test_plain_relative_paths_are_always_accepted(parts):
    key = "/".join(parts)
    assert storage.validate_key(key) == key


@settings(max_examples=100, deadline=None)
@given(_key_text, st.sampled_from(["/", "\\", "\x00", "\u202e", "/../", "//"]))
def test_a_key_with_a_forbidden_piece_is_refused(key, piece):
    bad = piece + key if piece == "/" else key + piece + key
    with pytest.raises(errors.InvalidArgument):
        storage.validate_key(bad)


@pytest.mark.parametrize(("name", "suffix"), [
    ("data.csv", ".csv"),
    ("a/b/data.parquet", ".parquet"),
    ("table.tar.gz", ".tar.gz"),
    ("counts.csv.zst", ".csv.zst"),
    ("store.zarr", ".zarr"),
    ("store.zarr/", ".zarr"),
    ("README", ""),
    ("v1.2.data.gz", ".data.gz"),
    ("archive.verylongpart.gz", ".gz"),  # the part before .gz is too long to be a format suffix
    ("x.a" + "b" * 40, ""),  # too long to be a suffix at all
    ("weird.GZ", ".GZ"),
    ("doc.tsv.GZ", ".tsv.GZ"),
])
def test_suffix_of(name, suffix):
    assert storage.suffix_of(name) == suffix


@pytest.mark.parametrize(("path", "local"), [
    ("/data/x.csv", True),
    ("relative/x.csv", True),
    (Path("/tmp/x"), True),
    ("file:///tmp/x", True),
    ("s3://bucket/x.csv", False),
    ("gs://bucket/x", False),
    ("https://example.org/x.csv", False),
])
def test_is_local(path, local):
    assert storage.is_local(path) is local


def test_managed_path_lies_in_the_managed_folder_of_the_root(tmp_path):
    path = storage.managed_path(tmp_path, "AbC123xyz0000", ".csv")
    assert Path(str(path)) == tmp_path / ".lineagedb" / "AbC123xyz0000.csv"
    assert not (tmp_path / ".lineagedb").exists()  # naming a path creates nothing


def test_relative_to_root_picks_the_deepest_root():
    roots = ["s3://b", "s3://b/deep", "/local"]
    assert storage.relative_to_root("s3://b/deep/x/y.csv", roots) == ("s3://b/deep", "x/y.csv")
    assert storage.relative_to_root("s3://b/other.csv", roots) == ("s3://b", "other.csv")
    assert storage.relative_to_root("s3://bb/x.csv", roots) is None
    assert storage.relative_to_root("/elsewhere/x", roots) is None


@pytest.mark.parametrize("path", ["/local", "/local/.lineagedb", "/local/.lineagedb/uid.csv"])
def test_relative_to_root_refuses_roots_and_managed_files(path):
    with pytest.raises(errors.InvalidArgument, match="root itself|managed folder"):
        storage.relative_to_root(path, ["/local"])


def test_staging_names_tell_whether_their_writer_still_runs(tmp_path):
    own = storage.new_stage_path(tmp_path, ".csv")
    assert own.parent == tmp_path / ".lineagedb" and own.name.endswith(".csv")
    assert storage.stage_owner_alive(own.name) is True
    host = own.name[len(storage.STAGE_PREFIX):].split("x", 1)[0]
    assert storage.stage_owner_alive(f"{storage.STAGE_PREFIX}{host}x999999999-abc.csv") is False  # no such pid
    assert storage.stage_owner_alive(".tmp-stage-abc.bin") is None  # not our naming
    other_host = "000000" if host != "000000" else "111111"
    assert storage.stage_owner_alive(f"{storage.STAGE_PREFIX}{other_host}x1-abc.csv") is None
