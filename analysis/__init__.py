"""solewatch analysis core: pure computation on insole streams.

Arrays in, results out. No file or network I/O, no clocks, no global state. Everything that
reads bytes lives in ``firmware_bridge``; everything that shows lives in ``dashboard``.
"""
