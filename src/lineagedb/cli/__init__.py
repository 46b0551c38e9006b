"""The ``lineagedb`` command line."""
