"""The engine: live snapshot, diff against the desired graph, plan with safety checks, and apply. Never prints; reports progress through hooks."""
