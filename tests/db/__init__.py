"""Database layer tests, each run on SQLite and on a throwaway PostgreSQL."""
