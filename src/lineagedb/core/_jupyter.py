"""Which interactive shell runs this process (a Jupyter kernel or a plain interpreter).

>>> ipython_kernel() is None  # in a plain script  # doctest: +SKIP
True
"""

from __future__ import annotations

import sys
from typing import Any


def ipython_kernel() -> Any:
    """The running IPython kernel shell (a notebook or VS Code cell), or None in a plain interpreter."""
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None or type(shell).__name__ != "ZMQInteractiveShell":
        return None
    return shell
