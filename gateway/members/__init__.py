"""The member database the context stage reads: members, purchases, offers, stores,
and the facts offer decisioning needs (promotions, stock, offer terms, member since).

    MemberStore         the Protocol the pipeline depends on (also a `gateway.offers.OfferFactStore`)
    SqliteMemberStore   the embedded default (a file written by `gateway.seed`)

The table layout lives in `gateway.members.schema`.
"""

from gateway.members._protocol import MemberStore
from gateway.members._sqlite import SqliteMemberStore

__all__ = ["MemberStore", "SqliteMemberStore"]
