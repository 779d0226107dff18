"""Annual Technical Report (ATR) link submissions: validation, storage, reports."""
