"""Frozen entry point of the ``framesense`` command (CLI, and the app through ``framesense app``)."""

import multiprocessing

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from framesense.cli import main

    main()
