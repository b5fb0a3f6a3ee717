"""Notifications: a list in the header, read and unread, and mail for the kinds the member keeps on."""
