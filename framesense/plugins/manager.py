"""Find, load and call plugins: built-ins, installed packages, and the user's plugin folder.

Every hook is called plugin by plugin, so one plugin that raises is recorded
(and switched off) without stopping the others or the caller.
"""

from __future__ import annotations

import importlib.metadata as md
import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pluggy

from ..config import user_plugin_dir
from . import hookspecs
from .guard import GuardedAnalyzer
from .host import ENTRY_POINT_GROUP, PluginHost, load_locator
from .types import SearchSpec

DISABLE_ENV = "FRAMESENSE_DISABLE_PLUGINS"  # comma-separated names, for runs without --disable
IMPORT_TIMEOUT = 20.0   # seconds a plugin may take to import (a sleep or a network call at import time)
ENTRY_POINTS_ENV = "FRAMESENSE_ENTRY_POINTS"  # "0": skip installed packages (tests choose their plugins)


@dataclass
class PluginRecord:
    name: str
    source: str                   # "builtin", "entry point <dist>", or a file/folder path
    status: str = "loaded"        # loaded, disabled, failed
    reason: str | None = None
    version: str = "0"
    owns: list[str] = field(default_factory=list)
    module: object = None
    builtin: bool = False
    migrations: dict = field(default_factory=dict)
    locator: tuple | None = None  # how another process loads it again (plugins/host.py)

    provides: dict = field(default_factory=dict)   # stages / searches / exporters -> names

    def to_json(self) -> dict:
        return {"name": self.name, "version": self.version, "status": self.status, "reason": self.reason,
                "source": self.source, "owns_tables": self.owns, "builtin": self.builtin,
                "provides": self.provides}


def _env_disabled() -> set[str]:
    return {n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip()}


class Plugins:
    """The plugins of one process or run; ``load()`` builds it."""

    def __init__(self, disable=()):
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.records: dict[str, PluginRecord] = {}
        self.disable = set(disable) | _env_disabled()
        self.warnings: list[str] = []
        self._prepared: dict[str, set] = {}

    # -- discovery -----------------------------------------------------------
    def load(self, plugin_dir: Path | None = None, entry_points: bool | None = None) -> "Plugins":
        def builtin_module():
            from . import builtin
            return builtin
        self._add("builtin", "builtin", builtin_module, builtin=True)
        if entry_points is None:
            entry_points = os.environ.get(ENTRY_POINTS_ENV, "1") != "0"
        if entry_points:
            for ep in sorted(md.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
                dist = getattr(ep, "dist", None)
                src = f"entry point {ep.value} ({dist.name} {dist.version})" if dist else f"entry point {ep.value}"
                self._add(ep.name, src, ep.load, version=dist.version if dist else None,
                          locator=("entry", ep.name, ep.value))
        folder = Path(plugin_dir) if plugin_dir else user_plugin_dir()
        if folder.is_dir():
            for item in sorted(folder.iterdir()):
                if item.name.startswith((".", "_")):
                    continue
                if item.suffix == ".py" and item.is_file():
                    locator = ("file", item.stem, str(item), None)
                elif item.is_dir() and (item / "__init__.py").is_file():
                    locator = ("file", item.name, str(item / "__init__.py"), str(item))
                else:
                    continue
                self._add(locator[1], str(item), lambda loc=locator: load_locator(loc), locator=locator)
        return self

    def _add(self, name, source, loader, version=None, builtin=False, locator=None):
        if name in self.records:
            rec = self.records[name]
            self.warnings.append(f"plugin '{name}' from {source} ignored: already loaded from {rec.source}")
            return
        rec = PluginRecord(name=name, source=source, version=version or "0", builtin=builtin, locator=locator)
        self.records[name] = rec
        if name in self.disable:
            rec.status, rec.reason = "disabled", "disabled by --disable" if name not in _env_disabled() \
                else f"disabled by {DISABLE_ENV}"
            return
        try:
            module = loader() if builtin else _import_with_deadline(loader, IMPORT_TIMEOUT)
            rec.name = getattr(module, "PLUGIN_NAME", None) or name
            rec.version = str(getattr(module, "PLUGIN_VERSION", None) or rec.version)
            rec.owns = list(getattr(module, "OWNS_TABLES", ()) or ())
            hook = getattr(module, "framesense_migrations", None)
            rec.migrations = dict(hook() or {}) if hook else {}
            if rec.name in self.disable:  # disabled by its declared name rather than its file name
                rec.status, rec.reason = "disabled", "disabled by --disable"
                return
            twin = next((r for k, r in self.records.items() if k != name and r.status == "loaded"
                         and (r.name == rec.name or r.module is module)), None)
            if twin is not None:  # e.g. pip-installed and also dropped into the plugin folder
                rec.status, rec.reason = "disabled", f"duplicate of '{twin.name}' already loaded from {twin.source}"
                self.warnings.append(f"plugin {rec.name!r} from {source} ignored: {rec.reason}")
                return
            self.pm.register(module, name=name)
            try:
                self.pm.check_pending()  # a hookimpl whose name matches no hook: a typo the author should see
            except pluggy.PluginValidationError:
                self.pm.unregister(name=name)
                raise
            rec.module = module
        except Exception as exc:
            if builtin:   # FrameSense's own stages, searches and exporters: a bug to see, not a plugin to skip
                raise
            rec.status, rec.reason = "failed", f"failed to load: {type(exc).__name__}: {exc}"
            self.warnings.append(f"plugin '{name}' ({source}) {rec.reason}")

    # -- state ---------------------------------------------------------------
    def loaded(self) -> list[PluginRecord]:
        return [r for r in self.records.values() if r.status == "loaded"]

    def fail(self, key: str, reason: str):
        """Switch a plugin off for the rest of this process: recorded, never raised."""
        rec = self.records.get(key)
        if rec and rec.status == "loaded":
            rec.status, rec.reason = "failed", reason
            self.pm.unregister(name=key)
            self.warnings.append(f"plugin '{rec.name}' failed: {reason}")

    def _impls(self, hook_name: str):
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            yield impl.plugin_name, impl.function

    def prepare(self, catalog) -> None:
        """Bring each plugin's tables up to date in an open catalog; a plugin whose migration fails is switched off."""
        from ..catalog import schema
        done = self._prepared.setdefault(str(catalog.path), set())
        for key, rec in list(self.records.items()):
            if rec.status != "loaded" or key in done or not rec.migrations:
                continue
            try:
                # a copy first, as for built-in upgrades: what "the catalog is damaged" says to restore
                file = catalog.conn.execute("PRAGMA database_list").fetchone()[2]   # '' in memory
                schema.migrate(catalog.conn, only=rec.migrations,
                               backup_to=Path(file).with_name(Path(file).name + ".bak") if file else None)
                for component, scripts in rec.migrations.items():
                    schema.register(component, scripts)  # later opens of any catalog in this process include them
                done.add(key)
            except Exception as exc:
                self.fail(key, f"catalog migration failed: {type(exc).__name__}: {exc}")

    # -- hooks ---------------------------------------------------------------
    def analyzers(self, options: dict | None = None) -> list:
        """Every analyzer, built-ins first; plugin ones wrapped with a time limit and disable-on-failure."""
        return [a for _, a in self._analyzers(options)]

    def _analyzers(self, options: dict | None) -> list[tuple[str, object]]:
        from ..analysis.base import Analyzer
        options = dict(options or {})
        disable = set(options.get("disable") or ()) | self.disable
        timeout = options.get("plugin_timeout")
        out, seen = [], set()
        impls = sorted(self._impls("framesense_analyzers"), key=lambda kv: not self.records[kv[0]].builtin)
        for key, fn in impls:
            rec = self.records[key]
            if key in disable or rec.name in disable:
                continue
            try:
                made = list(fn(options=options) or [])
                bad = [a for a in made if not isinstance(a, Analyzer) or not getattr(a, "name", "")]
                if bad:
                    raise TypeError(f"framesense_analyzers returned {bad[0]!r}, not a named Analyzer")
            except Exception as exc:
                self.fail(key, f"framesense_analyzers raised {type(exc).__name__}: {exc}")
                continue
            for a in made:
                if a.name in disable or a.name in seen:
                    continue
                seen.add(a.name)
                if not rec.builtin:
                    host = PluginHost(rec.locator, key, a.name, options) if rec.locator else None
                    a = GuardedAnalyzer(a, rec.name, timeout, host)
                    for t in a.owns_tables:
                        if t not in rec.owns:
                            rec.owns.append(t)
                out.append((key, a))
        return out

    def searches(self) -> list:
        return [spec for _, spec in self._search_specs()]

    def _search_specs(self) -> list[tuple[str, object]]:
        """(plugin key, SearchSpec), built-ins first. A plugin search that declares an option another
        search declared first (or one of the service's own: limit, min_score, media) would make one flag
        mean two things: that plugin is switched off, saying which option and whose it is."""
        from ..search.query import SERVICE_FIELDS
        owner: dict[str, str] = {name: "the service applies to every search" for name in SERVICE_FIELDS}
        out, bad = [], {}
        for key, spec in self._specs("framesense_searches"):
            if key in bad:
                continue
            if not isinstance(spec, SearchSpec):
                bad[key] = f"framesense_searches returned {spec!r}, not a SearchSpec"
                continue
            clash = next((o.name for o in spec.options if o.name in owner), None)
            if clash is not None:
                bad[key] = f"search '{spec.name}' declares option '{clash}', which {owner[clash]}"
                continue
            owner.update((o.name, f"search '{spec.name}' declares") for o in spec.options)
            out.append((key, spec))
        for key, reason in bad.items():
            self.fail(key, reason)
        return [(k, s) for k, s in out if k not in bad]

    def search(self, catalog, query) -> list:
        """Hits from every provider that answers the query. A built-in's error is the caller's
        (a bad query, a damaged catalog); a plugin's is recorded in ``warnings`` and the plugin switched off."""
        from ..errors import QueryError
        from ..search.hits import Hit
        hits = []
        for key, spec in self._search_specs():
            builtin = self.records[key].builtin
            try:
                if not spec.answers(query):
                    continue
                got = list(spec.search(catalog, query) or [])
                bad = next((h for h in got if not isinstance(h, Hit)), None)
                if bad is not None:
                    raise TypeError(f"returned {bad!r}, not a Hit")
                hits += got
            except QueryError:
                raise  # the user's query is wrong, not the provider
            except Exception as exc:
                if builtin:
                    raise
                self.fail(key, f"search '{spec.name}' raised {type(exc).__name__}: {exc}\n"
                          f"{traceback.format_exc(limit=4)}")
        return hits

    def exporters(self) -> list:
        return self._collect("framesense_exporters")

    def exporter_for(self, path, fmt: str | None = None):
        """The ExporterSpec named ``fmt``, else the one claiming the path's suffix (built-ins first)."""
        from ..errors import FrameSenseError
        specs = self.exporters()
        suffix = Path(path).suffix.lower()
        for spec in specs:
            if spec.name == fmt or (fmt is None and suffix in spec.suffixes):
                return spec
        names = ", ".join(s.name for s in specs)
        if fmt:
            raise FrameSenseError(f"unknown export format {fmt!r} (choose from {names})")
        raise FrameSenseError(f"{path}: cannot tell the export format from {suffix or 'a name without a suffix'}; "
                              f"give one with --format ({names})")

    def describe(self, options: dict | None = None) -> list[dict]:
        """Every plugin with the stages, searches and exporters it provides, by name (``plugins list``)."""
        for rec in self.records.values():
            rec.provides = {}
        for key, a in self._analyzers(options):
            self.records[key].provides.setdefault("stages", []).append(a.name)
        for kind, specs in (("searches", self._search_specs()), ("exporters", self._specs("framesense_exporters"))):
            for key, spec in specs:
                self.records[key].provides.setdefault(kind, []).append(spec.name)
        return [r.to_json() for r in self.records.values()]

    def app_actions(self) -> list:
        return self._collect("framesense_app_actions")

    def _collect(self, hook_name: str) -> list:
        return [spec for _, spec in self._specs(hook_name)]

    def _specs(self, hook_name: str) -> list[tuple[str, object]]:
        """(plugin key, spec) for each spec a list-returning hook gives, built-ins first."""
        out = []
        impls = sorted(self._impls(hook_name), key=lambda kv: not self.records[kv[0]].builtin)
        for key, fn in impls:
            try:
                out += [(key, spec) for spec in fn() or []]
            except Exception as exc:
                self.fail(key, f"{hook_name} raised {type(exc).__name__}: {exc}")
        return out


def _import_with_deadline(loader, seconds: float):
    """Import in a daemon thread; a plugin whose import hangs is given up on (the thread is abandoned)
    instead of hanging index, search and ``plugins list``."""
    import threading
    box: dict = {}

    def run():
        try:
            box["module"] = loader()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            box["error"] = exc
    t = threading.Thread(target=run, name="plugin-import", daemon=True)
    t.start()
    t.join(seconds)
    if t.is_alive():
        raise TimeoutError(f"its import did not finish within {seconds:g} s")
    if "error" in box:
        raise box["error"]
    return box["module"]


_DEFAULT: Plugins | None = None


def get_plugins(reload: bool = False) -> Plugins:
    """The process-wide plugin set, loaded once. Per-run ``--disable`` goes through
    ``Plugins.analyzers(options)``; ``$FRAMESENSE_DISABLE_PLUGINS`` keeps a plugin from loading at all."""
    global _DEFAULT
    if _DEFAULT is None or reload:
        _DEFAULT = Plugins().load()
    return _DEFAULT
