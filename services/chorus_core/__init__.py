"""The small core the Chorus services share: config, errors, caller context,
token verification, database access and the gRPC server scaffolding."""
