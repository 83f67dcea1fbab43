"""Oracle knowledge: the dictionary queries and their grants, the dialect adapter, and the PostgreSQL
emulation of the dictionary used by the tests and the demo."""
