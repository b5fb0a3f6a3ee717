"""State changes of the analytics app: the member's cookie choice, page views, roll-ups and their destruction."""
