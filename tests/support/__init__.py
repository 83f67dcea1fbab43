"""Helpers the tests import (case tables, the quoted-command checker, the security target type).

Importable as ``support`` through ``pythonpath = ["tests"]`` in pyproject.toml; fixtures are not
here but in the conftest.py of the directory that uses them.
"""
