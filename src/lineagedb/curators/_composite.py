"""Curators of composite containers: MuData (modalities) and SpatialData (tables and attrs).

Slots are paths (``"rna:obs"``, ``"rna:var.T"``, ``"uns:study"``, ``"table:obs"``, ``"attrs:bio"``); each
is validated like the matching AnnData slot (see ``_slots``).

>>> curator = ln.curators.MuDataCurator(mdata, mudata_schema)  # doctest: +SKIP
>>> curator.slots["rna:var.T"].cat.add_new_from("var_index")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from .. import errors
from ._curator import AnnDataCurator


class MuDataCurator(AnnDataCurator):
    """Validate a MuData against a composite schema whose slots name modalities (``"rna:obs"``, ...).

    >>> ln.curators.MuDataCurator(mdata, schema).validate()  # doctest: +SKIP
    """

    _otype = "MuData"

    @property
    def mdata(self) -> Any:
        return self._data

    def save_artifact(self, key: str | None = None, description: str | None = None, revises: Any = None) -> Any:
        """Validate, then save and annotate the MuData artifact (``.h5mu``).

        >>> artifact = curator.save_artifact(key="my_datasets/x.h5mu")  # doctest: +SKIP
        """
        from ..models import Artifact

        self._apply_coercions()
        self.validate()
        return Artifact.from_mudata(self._data, key=key, description=description, revises=revises,
                                    schema=self._schema, features=self._features or None).save()


class SpatialDataCurator(AnnDataCurator):
    """Validate a SpatialData against a composite schema (``"attrs:bio"``, ``"table:obs"``, ``"table:var.T"``).

    >>> ln.curators.SpatialDataCurator(sdata, schema).validate()  # doctest: +SKIP
    """

    _otype = "SpatialData"

    @property
    def sdata(self) -> Any:
        return self._data

    def save_artifact(self, key: str | None = None, description: str | None = None, revises: Any = None) -> Any:
        """Validate, then save the SpatialData (zarr) as an annotated artifact.

        >>> artifact = curator.save_artifact(key="my_datasets/x.zarr")  # doctest: +SKIP
        """
        from ..models import Artifact

        self._apply_coercions()
        self.validate()
        if not hasattr(Artifact, "from_spatialdata"):
            raise errors.InvalidArgument(
                "saving SpatialData needs Artifact.from_spatialdata, which this lineagedb does not have: "
                "write it with sdata.write(path) and pass the folder to ln.Artifact(path, schema=...)"
            )
        return Artifact.from_spatialdata(self._data, key=key, description=description, revises=revises,
                                         schema=self._schema).save()


class TiledbsomaExperimentCurator:
    """Not supported: validating tiledbsoma experiments needs the tiledbsoma package and its store layout.

    >>> ln.curators.TiledbsomaExperimentCurator(exp, schema)  # doctest: +SKIP
    Traceback (most recent call last):
    lineagedb.errors.InvalidArgument: ...
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise errors.InvalidArgument(
            "TiledbsomaExperimentCurator is not supported by lineagedb: export the experiment's obs / var to "
            "pandas (exp.obs.read().concat().to_pandas()) and validate them with ln.curators.DataFrameCurator"
        )
