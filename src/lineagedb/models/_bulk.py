"""``ln.save(records)``: save many records in bulk."""

from __future__ import annotations

from typing import Any, Iterable


def save(records: Iterable[Any], batch_size: int = 2000) -> list[Any]:
    """Insert unsaved records with one bulk insert per registry; update saved ones.

    >>> ln.save([ln.Record(name=f"r{i}") for i in range(10_000)])  # doctest: +SKIP
    """
    records = list(records)
    by_model: dict[type, list[Any]] = {}
    for r in records:
        if r._state.adding:
            by_model.setdefault(type(r), []).append(r)
        else:
            r.save()
    for model, items in by_model.items():
        for r in items:
            for f in r._meta.concrete_fields:  # resolve callable defaults such as created_by once per record
                if f.attname not in r.__dict__:
                    setattr(r, f.attname, f.get_default())
        model.objects.bulk_create(items, batch_size=batch_size)
    return records
