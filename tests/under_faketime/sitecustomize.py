"""Loaded by every Python process the suite starts while it runs under Debian's
``faketime`` (``tests/conftest.py`` puts this folder on ``PYTHONPATH`` then): see
``tests/faketime_sleep.py``."""

from tests.faketime_sleep import install

install()
