"""Foundations: settings, instances and the Django set-up, storage, hashing and uids.

Nothing in ``core`` knows about registries.
"""
