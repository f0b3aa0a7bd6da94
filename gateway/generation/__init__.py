"""Generation: the routes that produce a draft answer for a turn."""

from gateway.generation.llm import LLMRoute, build_llm_route
from gateway.generation.llm_config import RouterSpec, load_config_file, spec_from_settings

__all__ = ["LLMRoute", "RouterSpec", "build_llm_route", "load_config_file", "spec_from_settings"]
