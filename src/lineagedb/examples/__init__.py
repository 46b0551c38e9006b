"""Small example data sets for tutorials and tests.

>>> df = ln.examples.datasets.mini_immuno.get_dataset1()  # doctest: +SKIP
>>> schema = ln.examples.schemas.valid_features()  # doctest: +SKIP
"""

from . import croissant, datasets, schemas

__all__ = ["croissant", "datasets", "schemas"]
