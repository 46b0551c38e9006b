"""core._tree.tree_lines (what ``ln.UPath(...).view_tree()`` prints) on a local folder."""

from __future__ import annotations

import pytest
from upath import UPath

from lineagedb.core._tree import tree_lines


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "study"
    (root / "raw" / "deep").mkdir(parents=True)
    (root / "raw" / "img0.jpg").write_bytes(b"0")
    (root / "raw" / "img1.jpg").write_bytes(b"1")
    (root / "raw" / "deep" / "x.csv").write_bytes(b"x")
    (root / "meta.csv").write_bytes(b"m")
    (root / "README").write_bytes(b"r")
    return root


def test_tree_with_counts_and_suffixes(folder):
    lines = tree_lines(UPath(str(folder)), level=3)
    assert lines == [
        f"{folder}: 2 sub-directories & 5 files with suffixes '.csv', '.jpg'",
        "├── raw/",
        "│   ├── deep/",
        "│   │   └── x.csv",
        "│   ├── img0.jpg",
        "│   └── img1.jpg",
        "├── README",
        "└── meta.csv",
    ]


def test_level_bounds_depth_and_counts(folder):
    lines = tree_lines(UPath(str(folder)), level=1)
    assert lines[0] == f"{folder}: 1 sub-directory & 2 files with suffixes '.csv'"
    assert lines[1:] == ["├── raw/", "├── README", "└── meta.csv"]


def test_limit_cuts_the_listing_and_says_how_much_is_left(folder):
    lines = tree_lines(UPath(str(folder)), level=1, limit=1)
    assert lines[1:] == ["├── raw/", "... 2 more entries (raise limit= to see more)"]
    nested = tree_lines(UPath(str(folder)), level=3, limit=3)
    assert nested[1:] == ["├── raw/", "│   ├── deep/", "│   │   └── x.csv", "│   ... 4 more entries (raise limit= to see more)"]


def test_a_level_below_one_is_refused(folder):
    with pytest.raises(ValueError, match="level must be at least 1"):
        tree_lines(UPath(str(folder)), level=0)


def test_a_file_is_not_a_tree(folder):
    with pytest.raises(NotADirectoryError, match="view_tree"):
        tree_lines(UPath(str(folder / "meta.csv")))


def test_empty_folder(tmp_path):
    assert tree_lines(UPath(str(tmp_path))) == [f"{tmp_path}: 0 sub-directories & 0 files"]
