"""The engine: live snapshot, diff, plan with safety checks, and apply.

Never prints; reports progress through hooks.
"""
