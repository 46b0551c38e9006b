"""ln.Artifact(path, schema=...): which schemas a plain file may carry, and its feature values."""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture
def schema(ln, unique):
    gene = ln.Feature(name=f"fs_gene_{unique}", dtype=str).save()
    score = ln.Feature(name=f"fs_score_{unique}", dtype=float).save()
    return ln.Schema(name=f"fs_{unique}", features=[gene, score]).save()


def test_table_files_need_from_dataframe(ln, unique, schema, tmp_path):
    csv = tmp_path / "t.csv"
    pd.DataFrame({"a": [1]}).to_csv(csv, index=False)
    with pytest.raises(ln.errors.InvalidArgument, match="from_dataframe") as error:
        ln.Artifact(csv, key=f"fs/{unique}.csv", schema=schema)
    assert f"Schema 'fs_{unique}'" in str(error.value)
    assert not ln.Artifact.filter(key=f"fs/{unique}.csv").exists()
    text = tmp_path / "n.txt"
    text.write_text(unique)
    with pytest.raises(ln.errors.InvalidArgument, match="otype 'FASTQ'"):
        ln.Artifact(text, key=f"fs/{unique}.txt", otype="FASTQ", schema=schema)


def test_suffix_must_match_the_schema(ln, unique, tmp_path):
    csv = tmp_path / "t.csv"
    csv.write_text(f"a\n{unique}\n")
    schema = ln.Schema(itype=ln.Feature, suffix=".h5ad", maximal_set=True).save()
    with pytest.raises(ln.errors.ValidationError, match="suffix '.csv' does not match schema suffix '.h5ad'"):
        ln.Artifact(csv, key=f"fs/s_{unique}.csv", schema=schema)


def test_plain_file_values_are_validated_against_the_schema(ln, unique, schema, tmp_path):
    text = tmp_path / "n.txt"
    text.write_text(unique)
    gene, score = f"fs_gene_{unique}", f"fs_score_{unique}"
    with pytest.raises(ln.errors.ValidationError, match="no feature values were provided"):
        ln.Artifact(text, key=f"fs/{unique}.txt", schema=schema)
    with pytest.raises(ln.errors.ValidationError):
        ln.Artifact(text, key=f"fs/{unique}.txt", schema=schema, features={gene: "a"})
    artifact = ln.Artifact(text, key=f"fs/{unique}.txt", schema=schema, features={gene: "a", score: 1.0}).save()
    assert artifact.schema == schema
    assert "External features" in artifact.features.describe(return_str=True)
    again = ln.Artifact(text, key=f"fs/{unique}.txt", schema=schema).save()  # values come from the existing one
    assert again.uid == artifact.uid and again.features.get_values() == {gene: "a", score: 1.0}
    with pytest.raises(ln.errors.InvalidArgument, match="Cannot remove values if artifact has external schema"):
        artifact.features.remove_values(gene)
    artifact.features.update_values({score: 2.0})
    assert artifact.features.get_values()[score] == 2.0
