"""Renderers: turn result objects into JSON, CSV and tables; they never compute."""
