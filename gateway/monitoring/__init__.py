"""Monitoring: one span and one histogram observation per pipeline stage."""

from gateway.monitoring.metrics import GatewayMetrics
from gateway.monitoring.stages import StageRecorder
from gateway.monitoring.telemetry import build_tracer_provider

__all__ = ["GatewayMetrics", "StageRecorder", "build_tracer_provider"]
