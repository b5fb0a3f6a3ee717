"""Every change in a space: one function each, taking the acting member, in one transaction with its log row."""
