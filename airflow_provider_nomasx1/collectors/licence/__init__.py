"""Licence usage: the people behind JDE (employees), who transacted (audit columns of the business
tables) and what was used (Object Usage Tracking). See docs/license.md."""
