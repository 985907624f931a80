"""CLI command modules; each lists its click commands in ``COMMANDS`` for ``framesense.cli``."""
