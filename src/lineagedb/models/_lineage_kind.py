"""The ``kind`` of artifacts that tracking saves for itself (environments, notebooks, reports).

Listings that show only the user's data leave them out: ``exclude(kind=INTERNAL_KIND)``.
"""

INTERNAL_KIND = "__lineagedb__"
