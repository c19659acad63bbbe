"""Speed and memory benchmarks of the analysis (run with ``bash scripts/bench.sh``).

Not part of the installed package and never collected by pytest: the figures come from one
reproducible command on one core, written to benchmarks/results/, never from timed tests.
"""
