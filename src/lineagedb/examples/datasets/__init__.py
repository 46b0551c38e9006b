"""Example data sets (pandas and anndata are imported only when a data set is built)."""

from . import mini_immuno
from ._files import file_mini_csv

__all__ = ["file_mini_csv", "mini_immuno"]
