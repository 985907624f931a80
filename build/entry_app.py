"""Frozen entry point of ``framesense-app``: the desktop window, without a console (Windows/macOS)."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from framesense.cli import main

    main(["app", *sys.argv[1:]])
