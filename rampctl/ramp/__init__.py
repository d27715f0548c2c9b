"""The Ramp API client: OAuth2 auth, pagination, rate limiting, retries, typed objects and errors."""
