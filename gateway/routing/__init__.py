"""Routing: exact cache, the brand's small model, the hosted LLM, a governed fallback."""

from gateway.routing.exact_cache import CachedRoute, CacheScope, ExactCache, cache_key
from gateway.routing.router import IntentClassifier, Router

__all__ = ["CacheScope", "CachedRoute", "ExactCache", "IntentClassifier", "Router", "cache_key"]
