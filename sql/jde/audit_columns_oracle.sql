-- The tables of one JDE schema and their candidate audit columns (names ending in USER or UPMJ,
-- and the overrides), from the data dictionary the JDE login can see (ALL_TABLES,
-- ALL_TAB_COLUMNS: the tables it may read); a table without any candidate gives one row with a
-- NULL column. Oracle: upper-case names, the schema is the OWNER.
SELECT {{schema_key}} AS schema_key, t.TABLE_NAME AS table_name, c.COLUMN_NAME AS column_name
FROM ALL_TABLES t
LEFT JOIN ALL_TAB_COLUMNS c
       ON c.OWNER = t.OWNER AND c.TABLE_NAME = t.TABLE_NAME
      AND (c.COLUMN_NAME LIKE '%USER' OR c.COLUMN_NAME LIKE '%UPMJ' OR c.COLUMN_NAME IN ({{extra_columns}}))
WHERE t.OWNER = {{schema}}
