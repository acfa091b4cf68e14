"""The hub's pages and endpoint, one module each: board.py (the board and a stay's plan),
capacity.py (brokers' capacity, the situation report), feed.py (the hospital's events)."""
