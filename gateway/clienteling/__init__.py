"""Clienteling: a top-tier member enters a store → a short governed summary on the store's tablets.

    StoreNotifier   the event consumer's listener: summary → gate (associate) → audit → publish
    StoreFeed       Redis pub/sub, one channel per store (`notifications:store:{store_id}`)
    Subscription    one tablet's feed (`GET /v1/stores/{id}/notifications`, server-sent events)
    ClientSummary   what a shop floor may see: tier, interests, a suggested item, one approved offer

What a summary may show is policy (`clienteling:` in policies/program.yaml); points,
spend, contact details and age or income bands are never shown (see `_summary.py`).
"""

from gateway.clienteling._feed import CHANNEL_PREFIX, StoreFeed, Subscription, channel_for
from gateway.clienteling._notifier import NEEDED, Entry, StoreNotifier
from gateway.clienteling._summary import ClientSummary, build_summary, mask_member_id

__all__ = [
    "CHANNEL_PREFIX",
    "NEEDED",
    "ClientSummary",
    "Entry",
    "StoreFeed",
    "StoreNotifier",
    "Subscription",
    "build_summary",
    "channel_for",
    "mask_member_id",
]
