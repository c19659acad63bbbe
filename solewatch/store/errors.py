"""Errors of the history store; each message says what was wrong and what was expected."""

from __future__ import annotations

from analysis.errors import SolewatchError


class StoreError(SolewatchError):
    """The store could not be opened or a value could not be stored (the message says why)."""


class NotFoundError(StoreError):
    """A wearer, device, recording or alert that the call names is not in the store."""


class AlertTransitionError(StoreError):
    """An alert cannot move to the asked status from the one it is in."""
