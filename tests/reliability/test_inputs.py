"""Guarantee: keys are NFC-normalised and free of invisible characters; a full disk is a StorageError."""

from __future__ import annotations

import errno
import unicodedata
from pathlib import Path

import pytest


def test_nfc_and_nfd_spellings_are_one_family(ln, unique, tmp_path):
    nfc = unicodedata.normalize("NFC", f"café-{unique}.txt")
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    one, two = tmp_path / "1.txt", tmp_path / "2.txt"
    one.write_text("first")
    two.write_text("second")
    first = ln.Artifact(one, key=nfd).save()
    second = ln.Artifact(two, key=nfc).save()
    assert first.key == nfc and second.key == nfc
    assert second.stem_uid == first.stem_uid and second.uid != first.uid  # two versions of one family
    assert ln.Artifact.filter(key=nfd).count() == 2 and ln.Artifact.get(key=nfd, is_latest=True) == second


@pytest.mark.parametrize("bad", ["report\u202egpj.exe", "a\u200bb.txt", "x\u2028y.txt", "c1\x85.txt", "lone\ud800.txt"])
def test_invisible_bidi_and_surrogate_characters_are_refused(ln, tmp_path, bad):
    src = tmp_path / "f.txt"
    src.write_text("x")
    with pytest.raises(ln.errors.InvalidArgument, match="invalid key"):
        ln.Artifact(src, key=bad)


def test_full_disk_is_a_storage_error_naming_the_path(ln, tmp_path, monkeypatch):
    from lineagedb.core import hashing

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(hashing, "copy_file_hashed", full)
    src = tmp_path / "big.bin"
    src.write_bytes(b"x" * 1000)
    with pytest.raises(ln.errors.StorageError, match="No space left") as info:
        ln.Artifact(src, key="full/big.bin")
    assert str(src) in str(info.value)


def test_full_disk_while_writing_a_dataframe_is_a_storage_error(ln, monkeypatch):
    import pandas as pd

    from lineagedb.formats import _tables

    def full(df, path, **kwargs):
        open(path, "wb").write(b"PAR1")  # a partial file, as a disk filling up leaves
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_tables, "write_parquet", full)
    with pytest.raises(ln.errors.StorageError, match=r"cannot write the DataFrame to .*No space left") as info:
        ln.Artifact.from_dataframe(pd.DataFrame({"a": [1]}), key="full/df.parquet")
    assert not Path(str(info.value).split(" to ", 1)[1].split(" (", 1)[0]).exists()  # no partial file left


def test_query_values_of_the_wrong_type_are_lineagedb_errors(ln):
    with pytest.raises(ln.errors.InvalidArgument, match="n_observations__gt"):
        list(ln.Artifact.filter(n_observations__gt="many"))


def test_feature_values_over_the_free_text_cap_are_refused(ln, unique, tmp_path):
    ln.Feature(name=f"note_{unique}", dtype="str").save()
    src = tmp_path / "n.txt"
    src.write_text(unique)
    artifact = ln.Artifact(src, key=f"notes/{unique}.txt").save()
    with pytest.raises(ln.errors.ValidationError, match="1,000,000"):
        artifact.features.add_values({f"note_{unique}": "x" * 2_000_000})
    artifact.features.add_values({f"note_{unique}": "x" * 1000})  # within the cap: stored


def test_a_folder_passed_to_from_dataframe_is_named(ln, tmp_path):
    with pytest.raises(ln.errors.InvalidArgument) as info:
        ln.Artifact.from_dataframe(str(tmp_path), key="x.parquet")
    assert str(tmp_path) in str(info.value) and "ln.Artifact(path" in str(info.value)


def test_unknown_filter_field_suggests_the_close_one(ln):
    with pytest.raises(ln.errors.InvalidArgument) as info:
        ln.Artifact.filter(descriptio="x")
    assert "did you mean" in str(info.value).lower() and "description" in str(info.value)


def test_adding_a_string_as_a_label_is_a_lineagedb_error(ln, unique, tmp_path):
    src = tmp_path / "l.txt"
    src.write_text(unique)
    artifact = ln.Artifact(src, key=f"labels/{unique}.txt").save()
    ln.Record(name=f"Label {unique}").save()
    with pytest.raises(ln.errors.InvalidArgument, match=f"did you mean .Label {unique}."):
        artifact.records.add(f"label {unique}")


def test_a_label_value_no_record_has_is_a_did_you_mean_error(ln, unique, tmp_path):
    feature = ln.Feature(name=f"treatment_{unique}", dtype=ln.Record).save()
    dmso = ln.Record(name=f"DMSO-{unique}").save()
    src = tmp_path / "t.txt"
    src.write_text(unique)
    artifact = ln.Artifact(src, key=f"{unique}/t.txt").save()
    artifact.features.add_values({feature.name: dmso.name})
    assert ln.Artifact.filter(**{feature.name: dmso.name}).one() == artifact
    with pytest.raises(ln.errors.InvalidLookup, match=f"did you mean 'DMSO-{unique}'"):
        ln.Artifact.filter(**{feature.name: f"DMSO-{unique[:-1]}"}).count()
