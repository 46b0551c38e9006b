"""What both stores do alike: the final and pending names of committed bytes under one root."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import storage as st


class ManagedRoot:
    """What both stores do alike: the final and pending names of committed bytes under one root."""

    def __init__(self, root: Any) -> None:
        self.root = str(root)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.root!r})"

    def final_path(self, uid: str, suffix: str) -> st.UPath:
        return st.managed_path(self.root, uid, suffix)

    def roll_forward(self, uid: str, suffix: str) -> bool:
        return st.roll_forward(self.root, uid, suffix)

    def hide(self, uid: str, suffix: str) -> Callable[[], None] | None:
        return st.hide_for_delete(self.root, uid, suffix)

    def remove_pending(self, uid: str, suffix: str) -> None:
        st.remove_pending(self.root, uid, suffix)
