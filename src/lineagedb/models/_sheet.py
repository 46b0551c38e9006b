"""Sheets: a record type exported whole, one row per record typed under it.

>>> samples = ln.Record(name="Samples", is_type=True).save()  # doctest: +SKIP
>>> for i in range(101): ln.Record(name=f"sample_{i}", type=samples).save()  # doctest: +SKIP
>>> len(samples.to_dataframe())  # every record, no row limit  # doctest: +SKIP
101
"""

from __future__ import annotations

from typing import Any

from .. import errors

INDEX, UID, NAME = "__lamindb_record_id__", "__lamindb_record_uid__", "__lamindb_record_name__"


def sheet_frame(record_type: Any) -> Any:
    """The records directly under ``record_type`` (not trashed) as a DataFrame indexed by record id.

    Columns: uid and name (feature values of records join once records carry features).
    """
    import pandas as pd

    if not getattr(record_type, "is_type", False):
        raise errors.InvalidArgument(
            f"{record_type!r} is not a type; only a record type (is_type=True) exports its records as a sheet, "
            f"e.g. ln.{type(record_type).__name__}.filter(type=...).to_dataframe()"
        )
    model = type(record_type)._meta.concrete_model
    rows = list(model.all().filter(type_id=record_type.pk).order_by("id").values_list("id", "uid", "name"))
    return pd.DataFrame(
        [[uid, name] for _, uid, name in rows], columns=[UID, NAME], index=pd.Index([r[0] for r in rows], name=INDEX)
    )
