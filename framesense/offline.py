"""Nothing leaves the machine: the documented opt-outs of libraries that would otherwise report home.

``framesense/__init__.py`` puts them in ``os.environ`` before any submodule (and so before any of
these libraries) can load, which covers the CLI, the app and scripts that import framesense first.
Child processes get them twice over: they inherit the environment, and each one (``--jobs``
workers, plugin hosts, Ray actors) imports framesense before running anything. Ray workers on a
cluster started elsewhere do not inherit this process's environment, so ``distributed.connect``
passes ``QUIET_ENV`` as the job's ``runtime_env``; the frozen bundle sets them again in a runtime
hook (``build/hooks/rthook_offline.py``) before its first import. ``tests/test_privacy.py`` checks
the promise under strace. The values are forced, not defaults: the README promises no telemetry.
"""

from __future__ import annotations

import os

QUIET_ENV = {
    # onnxruntime 1.29+ (faster-whisper's voice detector, CLIP towers): 1DS telemetry that looks up
    # mobile.events.data.microsoft.com and writes a device id under ~/.cache/Microsoft. Read once,
    # when onnxruntime initialises; disable_telemetry_events() after the import does not stop it.
    "ORT_DISABLE_TELEMETRY": "1",
    # huggingface_hub (faster-whisper / open_clip downloads, online only): its usage pings.
    "HF_HUB_DISABLE_TELEMETRY": "1",
    # Ray (index --ray): usage statistics sent when a cluster starts.
    "RAY_USAGE_STATS_ENABLED": "0",
    # The cross-tool convention several libraries honour.
    "DO_NOT_TRACK": "1",
}


def silence_telemetry(environ=os.environ) -> None:
    """Set every opt-out in ``environ`` (this process's environment unless another mapping is given)."""
    environ.update(QUIET_ENV)
