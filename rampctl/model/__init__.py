"""The desired-state model: addresses, resources, references between them and their ordering."""
