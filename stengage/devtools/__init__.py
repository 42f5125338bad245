"""Tools for developers and operators that are not part of the platform itself.

This room sits above every feature package: it may import features, and nothing in ``stengage``
imports it except the command line (``stengage.cli``).
"""
