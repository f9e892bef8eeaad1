"""Use cases: take an AsyncSession, return plain dataclasses or models, never import telegram."""
