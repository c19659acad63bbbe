"""solewatch firmware bridge: bytes in, analysis streams out.

Device formats, file readers of real insole recordings, and (later) the BLE client. It may
import the analysis data model (analysis.streams, analysis.layouts, analysis.sites) and
nothing else from analysis.
"""
