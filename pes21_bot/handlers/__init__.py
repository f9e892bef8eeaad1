"""Thin Telegram handlers: read the update, call a service, render a text from contenus/."""
