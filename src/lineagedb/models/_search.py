"""Ranked search and lookup on every registry, done by the database.

Ranks, best first: 0 exact match of the main field (``name``, ``key``, ``symbol``, ...), 1 exact synonym,
abbreviation or identifier, 2 prefix, 3 word match, 4 substring, 5 substring in another field (e.g.
``description``), 6 typo-tolerant fuzzy match. Ties go to the shorter value.

Candidates come from an index: an FTS5 trigram table per registry on SQLite (created on first search,
kept in sync by triggers), ``pg_trgm`` on PostgreSQL.

>>> ln.Record.search("experiment").to_dataframe()  # doctest: +SKIP
>>> records = ln.Record.lookup(); records.my_experiment  # doctest: +SKIP
"""

from __future__ import annotations

import difflib
import math
import re
from typing import Any

from django.db import connections, transaction
from django.db.models import IntegerField, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length

from .. import errors
from ..core.context import on_connect_hook, visible_branch_ids
from ._dtypes import default_field
from ._trash import has_branch_column

_TEXT_FIELDS = ("name", "key", "symbol", "handle", "root", "synonyms", "abbr", "ontology_id", "ensembl_gene_id",
                "uniprotkb_id", "scientific_name", "description")
_EXACT_FIELDS = ("abbr", "ontology_id", "ensembl_gene_id", "uniprotkb_id", "scientific_name", "symbol", "name", "uid")
_READY: set[tuple[str, str]] = set()
CANDIDATE_CAP = 300  # broad queries: ties within a rank are broken among this many substring matches
FUZZY_CANDIDATES = 60
FUZZY_MIN_SCORE = 0.5
FUZZY_POSTINGS = 1500  # SQLite typo stage: trigram index entries read at most (about 1 ms)
FUZZY_PG_ROWS = 2000  # PostgreSQL typo stage: rows scored at most (the SQLite stage reads FUZZY_POSTINGS entries)
FUZZY_PG_THRESHOLDS = (0.6, 0.3)  # PostgreSQL typo stage: pg_trgm word-similarity cut-offs, tried in turn


@on_connect_hook
def _reset() -> None:
    _READY.clear()


def search_fields(model: Any, field: Any = None) -> tuple[str, list[str]]:
    """(main field, every searched text field) of a registry."""
    names = {f.name for f in model._meta.concrete_fields}
    if field is not None:
        from ._fields import field_name

        wanted = [field_name(f) for f in (field if isinstance(field, (list, tuple)) else [field])]
        unknown = [w for w in wanted if w not in names]
        if unknown or not wanted:
            raise errors.InvalidArgument(f"{model.__name__} has no field {unknown[0] if unknown else None!r} to search; text "
                                         f"fields: {[n for n in _TEXT_FIELDS if n in names]}")
        return wanted[0], wanted
    main = default_field(model)
    return main, [main, *[n for n in _TEXT_FIELDS if n in names and n != main]]


# -- candidate index -------------------------------------------------------------------------------

def _fts_table(model: Any) -> str:
    return f"ldb_fts_{model._meta.db_table}"


def _ensure_sqlite_index(model: Any, fields: list[str], alias: str) -> str:
    """Create the FTS5 trigram table and its triggers for ``model`` once per process and database."""
    table, fts = model._meta.db_table, _fts_table(model)
    conn = connections[alias]
    key = (str(conn.settings_dict["NAME"]), table)
    if key in _READY:
        return fts
    cols = [model._meta.get_field(f).column for f in fields]
    col_list = ", ".join(f'"{c}"' for c in cols)
    new = ", ".join(f'new."{c}"' for c in cols)
    old = ", ".join(f'old."{c}"' for c in cols)
    with transaction.atomic(using=alias), conn.cursor() as cur:
        cur.execute("SELECT name FROM sqlite_master WHERE name IN (%s, %s)", [fts, f"{fts}_au"])
        found = {r[0] for r in cur.fetchall()}
        if fts in found:  # a registry that gained or lost a searched field needs a new index
            cur.execute(f'SELECT * FROM "{fts}" LIMIT 0')
            if [d[0] for d in cur.description] != cols:
                found.clear()
        if found != {fts, f"{fts}_au"}:  # missing, or its triggers went with a rebuilt table: (re)create
            for trig in ("ai", "ad", "au"):
                cur.execute(f'DROP TRIGGER IF EXISTS "{fts}_{trig}"')
            cur.execute(f'DROP TABLE IF EXISTS "{fts}"')
            cur.execute(f'CREATE VIRTUAL TABLE "{fts}" USING fts5({col_list}, content="{table}", content_rowid="id", '
                        "tokenize='trigram')")
            cur.execute(f'CREATE TRIGGER "{fts}_ai" AFTER INSERT ON "{table}" BEGIN '
                        f'INSERT INTO "{fts}"(rowid, {col_list}) VALUES (new.id, {new}); END')
            cur.execute(f'CREATE TRIGGER "{fts}_ad" AFTER DELETE ON "{table}" BEGIN '
                        f'INSERT INTO "{fts}"("{fts}", rowid, {col_list}) VALUES (\'delete\', old.id, {old}); END')
            cur.execute(f'CREATE TRIGGER "{fts}_au" AFTER UPDATE ON "{table}" BEGIN '
                        f'INSERT INTO "{fts}"("{fts}", rowid, {col_list}) VALUES (\'delete\', old.id, {old}); '
                        f'INSERT INTO "{fts}"(rowid, {col_list}) VALUES (new.id, {new}); END')
            cur.execute(f'INSERT INTO "{fts}"("{fts}") VALUES (\'rebuild\')')
    _READY.add(key)
    return fts


def _ensure_pg_trgm(alias: str) -> bool:
    conn = connections[alias]
    key = (str(conn.settings_dict["NAME"]), "pg_trgm")
    if key in _READY:
        return True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            if cur.fetchone() is None:
                cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # noqa: BLE001 - no privilege: fuzzy matching falls back to Python on candidates
        return False
    _READY.add(key)
    return True


def _match(model: Any, fields: list[str], expr: str) -> str | None:
    """An FTS5 MATCH expression restricted to ``fields`` (None: a field is not indexed)."""
    indexed = search_fields(model)[1]
    if set(fields) == set(indexed):
        return expr
    if not set(fields) <= set(indexed):
        return None
    cols = " ".join(model._meta.get_field(f).column for f in fields)
    return f"{{{cols}}} : ({expr})"


def _ensure_pg_index(model: Any, fields: list[str], alias: str) -> bool:
    """pg_trgm GIN indexes on ``lower(field)`` of every searched field (created on the first search)."""
    table = model._meta.db_table
    key = (str(connections[alias].settings_dict["NAME"]), f"gin:{table}")
    if key in _READY:
        return True
    if not _ensure_pg_trgm(alias):
        return False
    for f in fields:
        col = model._meta.get_field(f).column
        name = f"ldb_trgm_{table}_{col}"[:63]
        try:
            with transaction.atomic(using=alias), connections[alias].cursor() as cur:
                cur.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin (lower("{col}") gin_trgm_ops)')
        except Exception:  # noqa: BLE001 - a concurrent creator or no privilege: search still works, by scanning
            return False
    _READY.add(key)
    return True


def _pg_candidates(model: Any, main: str, fields: list[str], q: str, alias: str,
                   capped: bool) -> tuple[str | None, list[Any]]:
    """Ids of rows containing ``q`` in a searched field, as one subquery through the trigram indexes.

    ``capped`` (a search of the whole registry): exact and prefix matches of the main field, exact
    identifiers and substring matches, each capped for broad queries as on SQLite. A filtered queryset gets
    every substring match (its rows may lie beyond any cap).
    """
    if len(q) < 3 or not _ensure_pg_index(model, search_fields(model)[1], alias):
        return None, []
    table = model._meta.db_table
    escaped = _like_escape(q)
    cols = [f'lower("{model._meta.get_field(f).column}")' for f in fields]
    if not capped:
        return f'SELECT "id" FROM "{table}" WHERE {" OR ".join(f"{c} LIKE %s" for c in cols)}', [f"%{escaped}%"] * len(cols)
    # exact and prefix matches of the main field in its common casings, through its B-tree (Django gives an
    # indexed text column a pattern index on PostgreSQL), as on SQLite; then identifiers; then substrings
    variants = sorted({q, q.capitalize(), q.upper(), q.title()})
    arms, params = [], []
    names = {f.name for f in model._meta.concrete_fields}
    main_field = model._meta.get_field(main)
    if main_field.db_index or main_field.unique:
        for v in variants:
            arms.append(f'SELECT "id" FROM "{table}" WHERE "{main_field.column}" LIKE %s LIMIT {CANDIDATE_CAP}')
            params.append(_like_escape(v) + "%")
    else:  # pg_trgm's index answers equality too
        arms.append(f'SELECT "id" FROM "{table}" WHERE lower("{main_field.column}") = %s')
        params.append(q)
    for f in fields:
        if f in _EXACT_FIELDS and f != main and f in names:
            col = model._meta.get_field(f).column
            arms.append(f'SELECT "id" FROM "{table}" WHERE "{col}" IN ({", ".join(["%s"] * len(variants))}) '
                        f"LIMIT {CANDIDATE_CAP}")
            params += variants
    arms.append(f'SELECT "id" FROM "{table}" WHERE {" OR ".join(f"{c} LIKE %s" for c in cols)} LIMIT {CANDIDATE_CAP}')
    params += [f"%{escaped}%"] * len(cols)
    return " UNION ".join(f"({arm})" for arm in arms), params


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _trigrams(text: str) -> set[str]:
    t = f" {text.lower()} "
    return {t[i:i + 3] for i in range(len(t) - 2)}


# -- ranking -----------------------------------------------------------------------------------------

def _tier_sql(model: Any, main: str, fields: list[str], q: str, vendor: str) -> RawSQL:
    """A SQL CASE giving each row its rank (see the module docstring); 9: no match."""
    table = model._meta.db_table
    names = {f.name for f in model._meta.concrete_fields}

    def col(name: str) -> str:
        return f'lower("{table}"."{model._meta.get_field(name).column}")'

    def pos(hay: str) -> str:
        return f"instr({hay}, %s)" if vendor == "sqlite" else f"strpos({hay}, %s)"

    m = col(main)
    params: list[str] = []
    cases: list[str] = []

    def when(sql: str, *values: str) -> None:  # a CASE branch with its parameters, kept side by side
        cases.append(sql)
        params.extend(values)

    when(f"WHEN {m} = %s THEN 0", q)
    exact = [f"{col(f)} = %s" for f in _EXACT_FIELDS if f in fields and f != main and f in names]
    params += [q] * len(exact)
    syn = "synonyms" in fields
    if syn:
        exact.append(f"{pos(chr(39) + '|' + chr(39) + ' || ' + col('synonyms') + ' || ' + chr(39) + '|' + chr(39))} > 0")
        params.append(f"|{q}|")
    if exact:
        cases.append(f"WHEN {' OR '.join(exact)} THEN 1")
    when(f"WHEN {pos(m)} = 1 THEN 2", q)
    word = [f"{pos(m)} > 0" for _ in range(3)]
    word_params = [f" {q}", f"_{q}", f"/{q}"]
    if syn:
        word.append(f"{pos(chr(39) + '|' + chr(39) + ' || ' + col('synonyms'))} > 0")
        word_params.append(f"|{q}")
    when(f"WHEN {' OR '.join(word)} THEN 3", *word_params)
    sub = [f"{pos(m)} > 0"] + ([f"{pos(col('synonyms'))} > 0"] if syn else [])
    when(f"WHEN {' OR '.join(sub)} THEN 4", *[q] * len(sub))
    others = [f for f in fields if f not in {main, "synonyms"}]
    if others:
        when(f"WHEN {' OR '.join(f'{pos(col(f))} > 0' for f in others)} THEN 5", *[q] * len(others))
    return RawSQL(f"CASE {' '.join(cases)} ELSE 9 END", params, output_field=IntegerField())


def _sqlite_candidates(model: Any, main: str, fields: list[str], q: str, alias: str,
                       capped: bool) -> tuple[str, list[Any]]:
    """Ids worth ranking, as one subquery: exact and prefix hits through the B-tree indexes (any common
    casing of ``q``) and FTS5 trigram phrase matches; ``capped`` (a search of the whole registry): each
    capped for broad queries (a filtered queryset's rows may lie beyond any cap)."""
    table, names = model._meta.db_table, {f.name for f in model._meta.concrete_fields}
    variants = sorted({q, q.capitalize(), q.upper(), q.title()})
    arms, params = [], []
    cap = f" LIMIT {CANDIDATE_CAP}" if capped else ""
    col = model._meta.get_field(main).column
    for v in variants:
        arms.append(f'SELECT id FROM "{table}" WHERE "{col}" >= %s AND "{col}" < %s{cap}')
        params += [v, v + "\uffff"]
    for f in fields:
        if f in _EXACT_FIELDS and f != main and f in names:
            col = model._meta.get_field(f).column
            arms.append(f'SELECT id FROM "{table}" WHERE "{col}" IN ({", ".join(["%s"] * len(variants))}){cap}')
            params += variants
    match = _match(model, fields, _phrase(q)) if len(q) >= 3 else None
    if match is not None:
        fts = _ensure_sqlite_index(model, search_fields(model)[1], alias)
        arms.append(f'SELECT rowid FROM "{fts}" WHERE "{fts}" MATCH %s{cap}')
        params.append(match)
    return " UNION ".join(f"SELECT * FROM ({arm})" for arm in arms), params


def _rarest(q: str, counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The rarest trigrams of ``q`` whose index entries add up to at most FUZZY_POSTINGS (at least one).

    Trigrams that do not overlap a picked one come first: a typo spoils up to three adjacent trigrams, so
    spreading the picks over the query keeps a record with one typo findable.
    """
    t = f" {q} "
    pos: dict[str, int] = {}
    for i in range(len(t) - 2):
        pos.setdefault(t[i:i + 3], i)
    order = sorted(counts, key=lambda r: (r[1], pos.get(r[0], 0)))
    picked: list[tuple[str, int]] = []
    total = 0
    spots: list[int] = []  # where the picked terms sit in the query
    for spread in (True, False):
        for term, n in order:
            if (term, n) in picked or (picked and total + n > FUZZY_POSTINGS):
                continue
            if spread and any(abs(pos.get(term, 0) - p) < 3 for p in spots):
                continue
            picked.append((term, n))
            total += n
            spots.append(pos.get(term, 0))
    return picked


def _trigram_counts(cur: Any, fts: str, grams: list[str]) -> list[tuple[str, int]]:
    """(trigram, rows having it) for the trigrams in the index, each counted up to FUZZY_POSTINGS + 1.

    A count above FUZZY_POSTINGS only says "common"; counting on would read the trigram's whole list (the
    FTS5 vocabulary table does: 12 ms per trigram shared by 1M names, 230 ms for a query of 19 of them)."""
    cap = FUZZY_POSTINGS + 1
    one = f'SELECT %s, (SELECT count(*) FROM (SELECT 1 FROM "{fts}" WHERE "{fts}" MATCH %s LIMIT {cap}))'
    cur.execute(" UNION ALL ".join([one] * len(grams)), [x for g in grams for x in (g, _phrase(g))])
    return [(term, n) for term, n in cur.fetchall() if n]


def _sqlite_fuzzy(model: Any, fields: list[str], q: str, alias: str) -> list[tuple] | None:
    """Rows (id, *fields) sharing the most (idf-weighted) of the query's rarest trigrams, read through FTS5.

    The work is bounded: only trigrams whose index entries sum to about FUZZY_POSTINGS are read, so
    trigrams common to thousands of rows ("000", "cel") cost nothing. None: a field is not indexed.
    """
    grams = sorted(g for g in _trigrams(q) if " " not in g)
    fts = _ensure_sqlite_index(model, search_fields(model)[1], alias)
    table = model._meta.db_table
    cols = ", ".join(f'"{table}"."{model._meta.get_field(f).column}"' for f in fields)
    branch = f' AND "{table}"."branch" IN ({_visible_sql()})' if _has_branch(model) else ""
    with connections[alias].cursor() as cur:
        counts = _trigram_counts(cur, fts, grams)
        if not counts:
            return []
        rare = _rarest(q, counts)
        matches = [_match(model, fields, _phrase(t)) for t, _ in rare]
        if None in matches:
            return None
        if rare[0][1] > FUZZY_POSTINGS:  # every trigram is common: the first rows having the two rarest
            cur.execute(f'SELECT "{table}"."id", {cols} FROM "{table}" WHERE "{table}"."id" IN (SELECT rowid FROM '
                        f'"{fts}" WHERE "{fts}" MATCH %s LIMIT {FUZZY_CANDIDATES}){branch}',
                        [_match(model, fields, " AND ".join(_phrase(t) for t, _ in sorted(counts, key=lambda r: r[1])[:2]))])
            return cur.fetchall()
        top = max(n for _, n in counts)
        if top > FUZZY_POSTINGS:  # a count cut off: the common trigram's rows number at most the table's
            cur.execute(f'SELECT max("id") FROM "{table}"')
            top = max(top, cur.fetchone()[0] or 0)
        arms = " UNION ALL ".join(f'SELECT rowid AS id, {1 + math.log(top / n):.4f} AS w FROM "{fts}" WHERE "{fts}" MATCH %s'
                                  for _, n in rare)
        cur.execute(f'SELECT "{table}"."id", {cols} FROM (SELECT id, sum(w) AS s FROM ({arms}) GROUP BY id '
                    f'ORDER BY s DESC, id LIMIT {FUZZY_CANDIDATES}) AS c JOIN "{table}" ON "{table}"."id" = c.id'
                    f'{branch}', matches)
        return cur.fetchall()  # restricted to the queryset at the end, by _in_order


def _fuzzy_candidates(qs: Any, model: Any, main: str, fields: list[str], q: str, vendor: str) -> Any:
    """Up to FUZZY_CANDIDATES records sharing rare trigrams with ``q`` (SQLite) or similar to it (pg_trgm)."""
    if vendor == "sqlite":
        rows = _sqlite_fuzzy(model, fields, q, qs.db)
        return qs.order_by("id")[:FUZZY_CANDIDATES] if rows is None else rows
    if vendor == "postgresql" and _ensure_pg_index(model, search_fields(model)[1], qs.db):
        table = model._meta.db_table
        cols = [f'lower("{model._meta.get_field(f).column}")' for f in fields]
        # "+ 0": never drive this query by the branch index (stale statistics after a bulk insert made the
        # planner pick it, then test "<%" on every row: 40 ms instead of 3 ms on 10,000 rows)
        branch = f' AND "branch" + 0 IN ({_visible_sql()})' if _has_branch(model) else ""
        # "<%": word similarity above pg_trgm's threshold, answered by the trigram indexes
        where = " OR ".join(f"%s <%% {c}" for c in cols)
        # at most FUZZY_PG_ROWS rows pass the index's recheck: a query similar to most rows (names sharing a long
        # common part) would otherwise score every row of the table
        out = ", ".join(f"c{i}" for i in range(len(cols)))
        sql = (f'SELECT "id", {out} FROM (SELECT "id", {", ".join(f"{c} AS c{i}" for i, c in enumerate(cols))} '
               f'FROM "{table}" WHERE ({where}){branch} LIMIT {FUZZY_PG_ROWS}) AS found '
               f"ORDER BY GREATEST({', '.join(f'word_similarity(%s, COALESCE(c{i}, {chr(39)}{chr(39)}))' for i in range(len(cols)))}) DESC "
               f"LIMIT {FUZZY_CANDIDATES}")
        # pg_trgm's default cut-off (0.6) answers most typos fast but drops some one-typo words ("nueron");
        # only when it finds nothing, a wider cut-off is tried (for this transaction only). The trigram share
        # scored below still decides what matches.
        for threshold in FUZZY_PG_THRESHOLDS:
            with transaction.atomic(using=qs.db), connections[qs.db].cursor() as cur:
                cur.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(threshold)])
                cur.execute(sql, [q] * (2 * len(cols)))
                rows = cur.fetchall()
            if rows:
                return rows
        return []
    return qs.order_by("id")[:2000]


def _fuzzy_ids(qs: Any, model: Any, main: str, fields: list[str], q: str, vendor: str, exclude: list[int]) -> list[int]:
    """Ids of records whose fields are close to ``q`` despite typos, best first.

    Score: the share of the query's trigrams found in a field (``|T(q) & T(field)| / |T(q)|``).
    """
    if len(q) < 3:
        return []
    grams = _trigrams(q)
    scored = []
    fields = [f for f in fields if f == main or f == "synonyms"] if len(fields) > 1 else fields
    rows = _fuzzy_candidates(qs, model, main, fields, q, vendor)
    if not isinstance(rows, list):
        rows = rows.values_list("id", *fields)
    skip = set(exclude)
    for row in rows:
        if row[0] in skip:
            continue
        best = max((len(grams & _trigrams(text)) for text in row[1:] if text), default=0) / len(grams)
        if best >= FUZZY_MIN_SCORE:
            scored.append((-best, len(row[1] or ""), row[0]))
    return [i for _, _, i in sorted(scored)]


def _visible_sql() -> str:
    """The branches a class-level search looks in (main and the current branch), as an SQL list of integers."""
    return ", ".join(str(int(b)) for b in visible_branch_ids())


def _has_branch(model: Any) -> bool:
    """Whether the table has the integer ``branch`` column (a ``branch`` FK, as on BranchBlock, is not one)."""
    return has_branch_column(model)


def _plain(qs: Any) -> bool:
    """True for a queryset that only hides the trash (``Registry.search``): no joins, filters or slices."""
    from django.db.models.lookups import Exact

    query = qs.query
    if query.is_sliced or query.distinct or query.annotations or query.extra or len(query.alias_map) > 1:
        return False
    children = query.where.children
    if not children:
        return not query.where.negated
    if len(children) != 1 or query.where.negated or not _has_branch(qs.model):
        return False
    node = children[0]
    return isinstance(node, Exact) and getattr(node.lhs, "target", None) is not None \
        and node.lhs.target.name == "branch" and node.rhs == 1


def _ranked_ids_raw(qs: Any, model: Any, main: str, tier: RawSQL, cand_sql: str, cand_params: list[Any],
                    limit: int | None) -> list[int]:
    table, col = model._meta.db_table, model._meta.get_field(main).column
    branch = f' AND "{table}"."branch" + 0 = 1' if qs.query.where.children else ""  # "+ 0": see _fuzzy_candidates
    sql = (f'SELECT id FROM (SELECT "{table}"."id" AS id, {tier.sql} AS r, length("{table}"."{col}") AS l '
           f'FROM "{table}" WHERE "{table}"."id" IN ({cand_sql}){branch}) AS ranked WHERE r < 9 ORDER BY r, l, id'
           + (f" LIMIT {int(limit)}" if limit else ""))
    with connections[qs.db].cursor() as cur:
        cur.execute(sql, [*tier.params, *cand_params])
        return [r[0] for r in cur.fetchall()]


def _in_order(qs: Any, ids: list[int]) -> Any:
    if not ids:
        return qs.none()
    table = qs.model._meta.db_table
    order = RawSQL(f'CASE "{table}"."id" ' + " ".join(f"WHEN {int(i)} THEN {pos}" for pos, i in enumerate(ids)) + " END",
                   [], output_field=IntegerField())
    base = qs.model.objects.all() if qs.query.is_sliced else qs
    return base.filter(id__in=ids).annotate(_search_rank=order).order_by("_search_rank")


def search(qs: Any, string: str, field: Any = None, limit: int | None = 20) -> Any:
    """Ranked matches of ``string`` within ``qs`` as a queryset (best first, at most ``limit``)."""
    if string is None:
        raise errors.InvalidArgument("Cannot search for None value! Please pass a valid string, e.g. ln.Record.search('experiment')")
    if not isinstance(string, str) or not string.strip():
        raise errors.InvalidArgument("search needs a non-empty string, e.g. ln.Record.search('experiment')")
    model, q = qs.model, string.strip().lower()
    main, fields = search_fields(model, field)
    vendor = connections[qs.db].vendor
    tier = _tier_sql(model, main, fields, q, vendor)
    cand_sql: str | None
    plain = _plain(qs)
    if vendor == "sqlite":
        cand_sql, cand_params = _sqlite_candidates(model, main, fields, q, qs.db, capped=plain)
    elif vendor == "postgresql":
        cand_sql, cand_params = _pg_candidates(model, main, fields, q, qs.db, capped=plain)
    else:
        cand_sql, cand_params = None, []
    if cand_sql is not None and plain:  # the common case, Registry.search(...): one hand-written query
        ids = _ranked_ids_raw(qs, model, main, tier, cand_sql, cand_params, limit)
    else:
        cand = qs.filter(id__in=RawSQL(cand_sql, cand_params)) if cand_sql is not None else qs
        ranked = cand.alias(_tier=tier).filter(Q(_tier__lt=9))
        ranked = ranked.order_by("_tier", Length(main), "id").values_list("id", flat=True)
        ids = list(ranked[:limit] if limit else ranked)
    if limit is None or len(ids) < limit:
        more = _fuzzy_ids(qs, model, main, fields, q, vendor, ids)
        ids += more[: (limit - len(ids)) if limit else None]
    return _in_order(qs, ids)


# -- lookup ------------------------------------------------------------------------------------------

def identifier(text: str) -> str:
    """``"My experiment"`` -> ``"my_experiment"``; ``"CD8A"`` -> ``"cd8a"``; ``"3' UTR"`` -> ``"_3_utr"``."""
    ident = re.sub(r"\W+", "_", str(text).strip().lower()).strip("_") or "_"
    return f"_{ident}" if ident[0].isdigit() else ident


class Lookup:
    """Records by name: ``records.my_experiment`` (tab-completes) or ``records["My experiment"]``."""

    def __init__(self, records: dict[str, Any], registry: str, field: str) -> None:
        self._by_value = records
        self._by_ident: dict[str, Any] = {}
        for value, record in records.items():
            self._by_ident.setdefault(identifier(value), record)
        self._label = f"{registry}.lookup(field={field!r})"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._by_ident[name]
        except KeyError:
            close = difflib.get_close_matches(name, list(self._by_ident), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise AttributeError(f"{self._label} has no {name!r}{hint}") from None

    def __getitem__(self, key: str) -> Any:
        if key in self._by_value:
            return self._by_value[key]
        if identifier(key) in self._by_ident:
            return self._by_ident[identifier(key)]
        raise KeyError(key)

    def __contains__(self, key: str) -> bool:
        return key in self._by_value or identifier(key) in self._by_ident

    def __dir__(self) -> list[str]:
        return sorted(self._by_ident)

    def __len__(self) -> int:
        return len(self._by_value)

    def dict(self) -> dict[str, Any]:
        return dict(self._by_value)

    def __repr__(self) -> str:
        shown = ", ".join(sorted(self._by_ident)[:10])
        more = f", ... ({len(self._by_ident)} in all)" if len(self._by_ident) > 10 else ""
        return f"<{self._label}: {shown}{more}>"


def lookup(qs: Any, field: Any = None) -> Lookup:
    """A :class:`Lookup` of the records in ``qs`` keyed by ``field`` (default: the registry's main field)."""
    main, _ = search_fields(qs.model, field)
    records: dict[str, Any] = {}
    for record in qs.exclude(**{f"{main}__isnull": True}).order_by("id"):
        records.setdefault(str(getattr(record, main)), record)
    return Lookup(records, qs.model.__name__, main)
