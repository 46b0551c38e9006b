"""The User registry: people who create records (the OS user, no login)."""

from __future__ import annotations

from django.db import models

from ._base import BaseRecord
from ._fields import uid_field


class User(BaseRecord):
    """A user of the instance, created from the OS user on first use.

    >>> ln.User.filter(handle="alice").one()  # doctest: +SKIP
    """

    _name_field = "handle"
    uid = uid_field(8)
    handle = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=150, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "lineagedb"
