"""solewatch command line and storage: the edges around the analysis core."""

__version__ = "0.1.0"
