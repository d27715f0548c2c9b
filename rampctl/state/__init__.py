"""The state file: format and upgrades, atomic writes, the run lock and the apply journal."""
