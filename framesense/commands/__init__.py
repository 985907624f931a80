"""CLI command modules; each adds its commands to ``framesense.cli.cli`` when imported."""

import pkgutil


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__))
