"""Helpers every app's tests share: API answers (``api``) and admin clients and forms (``admin``).

Factories stay with their app (``<app>/tests/factories.py``); fixtures (``api``,
``org``, ``member`` …) are in the root ``conftest.py``.
"""
