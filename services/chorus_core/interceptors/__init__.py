"""Server interceptors, one concern each, chained by `chorus_core.server`."""
