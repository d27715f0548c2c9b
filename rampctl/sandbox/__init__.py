"""The sandbox: a local emulator of the Ramp Developer API served over real HTTP on loopback.

Start it with `rampctl.sandbox.embedded.running_sandbox()` (in-process) or
`rampctl sandbox serve` (standalone). Modules: `store` (SQLite state), `seed` (demo and
generated businesses), `spec` (Ramp's OpenAPI document and validation), `routes_*` (the
endpoints), `middleware` (latency, rate limit, faults, request log), `settings` (the knobs).
"""
