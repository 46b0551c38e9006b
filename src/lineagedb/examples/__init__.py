"""Small example data sets for tutorials and tests.

>>> df = ln.examples.datasets.mini_immuno.get_dataset1()  # doctest: +SKIP
"""

from . import croissant, datasets

__all__ = ["croissant", "datasets"]
