"""Simulated time: the event loop, the seeded RNG and the real-time driver."""

from .loop import EventLoop, Timer
from .realtime import RealtimeDriver

__all__ = ["EventLoop", "Timer", "RealtimeDriver"]
