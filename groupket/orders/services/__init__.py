"""Every change to a group order: one function each, taking the acting member (or a scheduled job), in one
transaction with its history row (Habit 1)."""
