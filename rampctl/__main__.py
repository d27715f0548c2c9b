"""`python -m rampctl`: the same as the `rampctl` console script."""

from rampctl.cli.main import main

main()
