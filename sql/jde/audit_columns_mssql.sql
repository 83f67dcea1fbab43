-- The tables of one JDE schema and their candidate audit columns (names ending in USER or UPMJ,
-- and the overrides), from the source's own catalogue; a table without any candidate gives one
-- row with a NULL column. SQL Server: INFORMATION_SCHEMA, upper-case JDE names.
SELECT {{schema_key}} AS schema_key, UPPER(t.TABLE_NAME) AS table_name, UPPER(c.COLUMN_NAME) AS column_name
FROM INFORMATION_SCHEMA.TABLES AS t
LEFT JOIN INFORMATION_SCHEMA.COLUMNS AS c
       ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME
      AND (UPPER(c.COLUMN_NAME) LIKE '%USER' OR UPPER(c.COLUMN_NAME) LIKE '%UPMJ'
           OR UPPER(c.COLUMN_NAME) IN ({{extra_columns}}))
WHERE t.TABLE_SCHEMA = {{schema}} AND t.TABLE_TYPE = 'BASE TABLE'
