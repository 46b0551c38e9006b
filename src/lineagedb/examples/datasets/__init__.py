"""Example data sets (pandas and anndata are imported only when a data set is built)."""

from . import mini_immuno

__all__ = ["mini_immuno"]
