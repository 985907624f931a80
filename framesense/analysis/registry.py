"""The analyzers that ``framesense index`` runs, in order.

Built-ins are listed here; plugins add theirs through the plugin hooks.
"""

from __future__ import annotations

from .base import Analyzer


def builtin_analyzers(options: dict | None = None) -> list[Analyzer]:
    from .fingerprint import FingerprintAnalyzer
    from .scan import ShotsAnalyzer

    options = options or {}
    analyzers: list[Analyzer] = [ShotsAnalyzer(), FingerprintAnalyzer()]
    if options.get("speech", True):
        from .speech import SpeechAnalyzer
        analyzers.append(SpeechAnalyzer(options.get("speech_model"), options.get("language"),
                                        folder_languages=options.get("folder_languages")))
        from .retime import WordTimingAnalyzer
        analyzers.append(WordTimingAnalyzer())     # older libraries' words re-timed once, no re-transcription
    if options.get("visual", True):
        from .visual import VisualAnalyzer
        # Without a model it stays listed: the index then says once how to turn visual search on.
        analyzers.append(VisualAnalyzer(options))
    if options.get("faces", True):
        from .faces import FacesAnalyzer
        analyzers.append(FacesAnalyzer(options))   # without dlib/models: skipped with a note
    return analyzers
