"""Dataprep: normalise the conversation and enforce size limits before any other work."""

from gateway.dataprep.prepare import Limits, PreparedConversation, prepare_conversation

__all__ = ["Limits", "PreparedConversation", "prepare_conversation"]
