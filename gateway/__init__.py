"""Loyalty gateway: a governed LLM gateway for conversational loyalty."""

__version__ = "0.1.0"
__all__ = ["__version__"]
