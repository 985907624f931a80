"""NLE exporters: one small module per format, each with ``export(sequence, path, **options) -> list[Path]``.

They are registered, like any plugin's, by the built-in plugin (``framesense.plugins.builtin``);
``Library.export`` picks one by format name or file suffix from that registry.
"""
