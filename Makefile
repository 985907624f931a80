# One command each: install everything, run the demo, run the tests (all, or the fast layer).
PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: install system-deps demo test test-fast bench

install: system-deps
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip wheel
	$(BIN)/pip install -e '.[all,dev]'

# Debian/Ubuntu test tools: espeak-ng speaks test sentences, xvfb for screenshots, tesseract for OCR,
# strace for the no-network test, xmllint to check exports by hand, PulseAudio (null sink) as an audio device,
# x11-utils (xwininfo) to see the window a desktop start opens.
system-deps:
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		for try in 1 2 3 4 5 6 7 8 9 10; do apt-get -o DPkg::Lock::Timeout=60 update -qq && break; \
			echo "apt-get update failed (another apt may hold its lock); trying again in 10 s"; sleep 10; done; \
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq espeak-ng xvfb tesseract-ocr strace libxml2-utils pulseaudio pulseaudio-utils x11-utils libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 >/dev/null; \
	else echo "note: install espeak-ng, xvfb and tesseract-ocr with your package manager for the full test suite"; fi

demo:
	$(BIN)/framesense demo

test:
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

# Everything but the tests marked slow (real speech models, long media, strace, Ray, kills, the sound
# device, screenshots, the desktop start): the layer to run while working.
test-fast:
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m "not slow"

bench:
	$(BIN)/python benchmarks/ingest.py
