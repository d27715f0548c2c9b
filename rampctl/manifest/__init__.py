"""Manifests: load YAML and Jinja2 templates with positions, validate them into pydantic specs, and describe them as JSON Schema."""
