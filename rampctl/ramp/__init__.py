"""The Ramp API client: OAuth2, pagination, rate limiting, retries, typed objects, errors.

Modules: `client` (RampClient), `config` (where and how to log in), `models` (typed request
and response bodies: importing them loads no HTTP machinery), `scopes`, `requester`,
`pagination`, `limiter`, `failures`, `auth`.
"""
