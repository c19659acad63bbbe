"""solewatch dashboard (Dash). Shows results; never computes them."""
