"""Signals that higher apps listen to (campaigns may not import them).

- `extension_granted(sender=Extension, extension=...)`: sent on commit after an officer
  grants an extension; scoring reopens an assessment that was locked at the old deadline.
- `campaign_copied(sender=Campaign, source=..., campaign=..., user=...)`: sent inside the
  copy's transaction when next year's campaign is copied from `source`; evidence copies
  the campaign library.
"""
from django.dispatch import Signal

extension_granted = Signal()
campaign_copied = Signal()
