"""Signals that higher apps listen to (campaigns may not import them).

- `extension_granted(sender=Extension, extension=...)`: sent on commit after an officer
  grants an extension; scoring reopens an assessment that was locked at the old deadline.
"""
from django.dispatch import Signal

extension_granted = Signal()
