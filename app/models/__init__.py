"""The API's request and response bodies, one module per feature (see docs/contract.md)."""
