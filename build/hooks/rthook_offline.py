# PyInstaller runtime hook: runs before the bundle's entry script, so the telemetry opt-outs
# (framesense/offline.py: ORT_DISABLE_TELEMETRY and the rest) are in the environment before any
# bundled library loads, in the bundle's own process and every process it starts.
from framesense.offline import silence_telemetry

silence_telemetry()
