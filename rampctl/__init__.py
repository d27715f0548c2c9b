"""rampctl: infrastructure-as-code for Ramp Bill Pay."""

__version__ = "0.1.0"
