"""GitHub integration for CI: sticky plan comments, the drift issue and reviewed-plan artifacts."""
