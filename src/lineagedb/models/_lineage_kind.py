"""The ``kind`` of artifacts that tracking saves for itself (environments, notebooks, reports).

Listings that show only the user's data leave them out: ``exclude(kind=INTERNAL_KIND)``.
"""

INTERNAL_KIND = "__lineagedb__"
LAMINDB_INTERNAL_KIND = "__lamindb_run__"  # LaminDB's name for it: ``Artifact(kind="__lamindb_run__")`` stores INTERNAL_KIND
