"""Command-line interface: parses flags, calls the engine, renders results.

The only package that prints.
"""
