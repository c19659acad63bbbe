"""Readers of recorded insole data: each returns analysis streams and keeps what is valid."""
