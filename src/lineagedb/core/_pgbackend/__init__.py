"""Django's PostgreSQL backend, plus a reconnect between transactions when the server dropped the connection."""
