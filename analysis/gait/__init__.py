"""Gait analysis from insole force: events, strides, walking bouts and gait metrics.

One module per step, imported directly (this package imports nothing eagerly, so each module
stays usable on its own)::

    from analysis.gait.events import detect_events            # contacts per foot
    from analysis.gait.strides import build_strides           # stride table per foot
    from analysis.gait.variability import gait_summary        # cadence, SD/CV, double support

    loads = analysis.load.foot_load(stream)
    events = detect_events(stream, config.gait, loads=loads)
    strides = build_strides(events, config.gait)
    summary = gait_summary(strides, events, stream.duration_s)

Other modules: ``bouts`` (walking-bout segmentation, used by ``strides``), ``asymmetry``
(GA, SI), ``pci`` (phase coordination index), ``dfa`` (detrended fluctuation analysis),
``balance`` (static balance in quiet standing), ``exercises`` (exercise repetitions).

Method (clinical.md, gait section): two load thresholds with hysteresis adapted to each
recording, minimum stance and swing durations, initial contacts moved back to where the load
first left the baseline (never peak-to-peak timing), and walking-bout segmentation plus robust
outlier rejection before any variability is computed.
"""
