"""Storage: SQLAlchemy models, engine and session factory, PTB persistence."""
