"""core.vocabulary: validate, standardize and inspect values against canonical values and synonyms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineagedb.core.vocabulary import Vocabulary, as_list, inspect, split_synonyms, words


@pytest.fixture
def cells():
    return Vocabulary(["T cell", "B cell", "NK cell", None], ["T-cell|T lymphocyte", ["B lymphocyte"], None, "x"])


def test_validate_is_exact(cells):
    assert cells.validate(["T cell", "t cell", "T-cell", "B cell"]).tolist() == [True, False, False, True]


def test_canonical_maps_case_variants_and_synonyms(cells):
    assert cells.canonical("T cell") == "T cell"
    assert cells.canonical("nk CELL") == "NK cell"
    assert cells.canonical("t lymphocyte") == "T cell"
    assert cells.canonical("B lymphocyte") == "B cell"
    assert cells.canonical("monocyte") is None
    assert cells.canonical(3) is None


def test_standardize_keeps_unknown_values_and_mapper_lists_only_changes(cells):
    values = ["T-cell", "b cell", "blob", "NK cell"]
    assert cells.standardize(values) == ["T cell", "B cell", "blob", "NK cell"]
    assert cells.mapper(values) == {"T-cell": "T cell", "b cell": "B cell"}


def test_the_first_value_wins_a_shared_synonym():
    v = Vocabulary(["a", "b"], ["same", "same"])
    assert v.canonical("SAME") == "a"


def test_inspect_splits_and_deduplicates(cells, capsys):
    result = inspect(cells, pd.Series(["T cell", "T-cell", "blob", "T cell"]), show=True)
    assert result.validated == ["T cell"]
    assert result["non_validated"] == ["T-cell", "blob"]
    assert result.synonyms_mapper == {"T-cell": "T cell"}
    printed = capsys.readouterr().out
    assert "1 validated, 2 not validated" in printed and "'T-cell' -> 'T cell'" in printed and "unknown: 'blob'" in printed
    with pytest.raises(KeyError):
        result["other"]


@pytest.mark.parametrize(("values", "listed"), [("a", ["a"]), (["a", "b"], ["a", "b"]), (np.array([1, 2]), [1, 2]),
                                                (pd.Index(["x"]), ["x"]), (("p", "q"), ["p", "q"])])
def test_as_list(values, listed):
    assert as_list(values) == listed


@pytest.mark.parametrize(("value", "synonyms"), [(None, []), ("", []), ("a|b||c", ["a", "b", "c"]),
                                                 (["a", "", "b"], ["a", "b"])])
def test_split_synonyms(value, synonyms):
    assert split_synonyms(value) == synonyms


def test_words_lowercases_and_drops_punctuation():
    assert words("CD4-positive, alpha-beta T cell") == ["cd4", "positive", "alpha", "beta", "t", "cell"]


@settings(deadline=None)
@given(st.lists(st.text(min_size=1, max_size=10), min_size=1, max_size=20, unique=True))
def test_every_canonical_value_validates_and_stays_itself(values):
    v = Vocabulary(values)
    assert v.validate(values).all()
    assert v.standardize(values) == values
    assert v.mapper(values) == {}
