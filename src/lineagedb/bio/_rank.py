"""Ranked search over a public table: exact name, synonym, prefix, words, substring, then fuzzy.

Built once per table (plain Python lists of lowercase strings); a query scans them with ``in`` and
``startswith`` only, which keeps a search over MONDO's 30,000 terms at a few milliseconds.

>>> idx = RankIndex(["T cell", "B cell"], ["T-lymphocyte", None])
>>> idx.search("t cell", limit=1)
[(0, 1.0)]
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..core.vocabulary import split_synonyms, words


class _Words:
    """The distinct words of a table, grouped by first letter (for spelling fixes); one regex pass."""

    def __init__(self, blobs: list[str]) -> None:
        self.codes = set(re.findall(r"\w+", "\n".join(blobs)))
        self.by_first: dict[str, list[str]] = {}
        for w in self.codes:
            self.by_first.setdefault(w[0], []).append(w)


class RankIndex:
    """Lowercase names and synonyms of a table, ready for :meth:`search`."""

    def __init__(self, names: Sequence[Any], synonyms: Sequence[Any] | None = None) -> None:
        self.names = [str(n).lower() if n else "" for n in names]
        syns = synonyms if synonyms is not None else [None] * len(self.names)
        self.synonyms = [[s.lower() for s in split_synonyms(v)] for v in syns]
        self.blobs = [n + "|" + "|".join(s) for n, s in zip(self.names, self.synonyms)]
        self._words: _Words | None = None

    def _score(self, i: int, q: str, qwords: list[str]) -> float:
        name, syns = self.names[i], self.synonyms[i]
        closeness = 0.04 * min(len(q), len(name)) / max(len(q), len(name), 1)
        if name == q:
            return 1.0
        if q in syns:
            return 0.95
        if name.startswith(q):
            return 0.85 + closeness
        if any(s.startswith(q) for s in syns):
            return 0.8 + closeness
        name_words = set(words(name))
        if qwords and all(w in name_words for w in qwords):
            return 0.7 + closeness
        if qwords and any(all(w in set(words(s)) for w in qwords) for s in syns):
            return 0.65 + closeness
        if q in name:
            return 0.6 + closeness
        return 0.5 + closeness  # substring of a synonym

    def _word_index(self) -> _Words:
        if self._words is None:
            self._words = _Words(self.blobs)
        return self._words

    def _corrections(self, word: str) -> list[tuple[str, float]]:
        index = self._word_index()
        if word in index.codes:
            return [(word, 1.0)]
        if len(word) < 3:
            return []
        pool = index.by_first.get(word[0], [])
        matcher = difflib.SequenceMatcher(None, b=word)
        scored = []
        for w in pool:
            if abs(len(w) - len(word)) > 2:
                continue
            matcher.set_seq1(w)
            if matcher.real_quick_ratio() >= 0.7 and matcher.quick_ratio() >= 0.7 and (r := matcher.ratio()) >= 0.7:
                scored.append((w, r))
        return sorted(scored, key=lambda x: -x[1])[:3]

    def _fuzzy(self, q: str, exclude: set[int], limit: int) -> list[tuple[int, float]]:
        qwords = words(q)
        fixes = [(qw, self._corrections(qw)) for qw in qwords]
        fixes = [f for f in fixes if f[1]]
        hits = [[(w, ratio, [i for i, b in enumerate(self.blobs) if w in b]) for w, ratio in fix] for _, fix in fixes]
        sizes = [sum(len(rows) for _, _, rows in fix) for fix in hits]
        informative = [f for f, n in zip(hits, sizes) if n <= 3000] or ([hits[sizes.index(min(sizes))]] if hits else [])
        coverage: Counter = Counter()
        for fix in informative:
            best: dict[int, float] = {}
            for _, ratio, rows in fix:
                for i in rows:
                    best[i] = max(best.get(i, 0.0), ratio)
            coverage.update(best)
        pool = [i for i, _ in coverage.most_common(limit * 4) if i not in exclude]
        scored = []
        for i in pool:
            ratio = max(difflib.SequenceMatcher(None, q, t).ratio() for t in [self.names[i], *self.synonyms[i]])
            scored.append((i, round(0.45 * (0.5 * ratio + 0.5 * coverage[i] / max(len(qwords), 1)), 4)))
        return sorted(scored, key=lambda x: -x[1])[:limit]

    def search(self, query: str, limit: int | None = 20) -> list[tuple[int, float]]:
        """``[(row, score)]`` best first; scores in (0, 1], 1 = exact name."""
        q = query.strip().lower()
        if not q:
            return []
        qwords = words(q)
        key = max(qwords, key=len) if qwords else q
        candidates = [i for i, b in enumerate(self.blobs) if key in b]
        hits = []
        for i in candidates:
            if q in self.blobs[i] or all(w in self.blobs[i] for w in qwords):
                hits.append((i, self._score(i, q, qwords)))
        hits.sort(key=lambda x: (-x[1], len(self.names[x[0]])))
        want = limit or len(self.names)
        if len(hits) < min(want, 5):
            hits += self._fuzzy(q, {i for i, _ in hits}, want - len(hits))
        return hits[:want]
