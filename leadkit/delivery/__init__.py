"""Delivery: each recipient's reports by e-mail, once per period and data, and alerts on real changes."""
