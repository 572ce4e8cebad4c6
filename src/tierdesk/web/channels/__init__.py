"""Webhooks of the customer channels (LINE), mounted under `/channels`."""
