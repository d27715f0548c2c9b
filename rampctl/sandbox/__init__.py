"""The sandbox: a local emulator of the Ramp Developer API (ASGI app, store, seed data, fault injection)."""
