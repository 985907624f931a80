"""Whisper's runtime, set up by FrameSense and not by the environment: threads and OpenMP caps.

Every import of CTranslate2 / faster-whisper in FrameSense goes through ``import_ctranslate2``.
"""

from __future__ import annotations

import importlib
import os

_OMP_VARS = ("OMP_THREAD_LIMIT", "OMP_NUM_THREADS", "OMP_DYNAMIC")


def speech_threads() -> int:
    """CPU threads for Whisper: $FRAMESENSE_THREADS, else every core up to 8. Never the environment's OMP caps."""
    return int(os.environ.get("FRAMESENSE_THREADS", "0")) or min(os.cpu_count() or 1, 8)


def import_ctranslate2():
    """Import CTranslate2 (and faster-whisper) with the OpenMP variables hidden from its runtime.

    CTranslate2 ships its own libgomp, which reads OMP_THREAD_LIMIT once, when it loads: a
    limit set by some other tool (Tesseract users set OMP_THREAD_LIMIT=1) would cap Whisper
    at one thread for the whole process (~30x slower). Speech sets its threads itself
    (cpu_threads), so the variables are hidden during the import and then put back.
    """
    import sys
    if "ctranslate2" in sys.modules:
        return sys.modules["ctranslate2"]
    saved = {k: os.environ.pop(k) for k in _OMP_VARS if k in os.environ}
    try:
        import ctranslate2
        importlib.import_module("faster_whisper")   # loads under the same hidden caps
    finally:
        os.environ.update(saved)
    return ctranslate2
