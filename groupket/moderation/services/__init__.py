"""Every moderation change: one function each, taking its actor, in one transaction with its log row."""
