"""Renderers for plans: human text, versioned JSON and Markdown for pull-request comments."""
