-- The tables of one JDE schema and their candidate audit columns (names ending in USER or UPMJ,
-- and the overrides), from the source's own catalogue; a table without any candidate gives one
-- row with a NULL column. PostgreSQL sources (tests, the synthetic JDE): lower-case names.
SELECT {{schema_key}} AS schema_key, upper(t.table_name) AS table_name, upper(c.column_name) AS column_name
FROM information_schema.tables AS t
LEFT JOIN information_schema.columns AS c
       ON c.table_schema = t.table_schema AND c.table_name = t.table_name
      AND (upper(c.column_name) LIKE '%USER' OR upper(c.column_name) LIKE '%UPMJ'
           OR upper(c.column_name) IN ({{extra_columns}}))
WHERE t.table_schema = {{schema}} AND t.table_type = 'BASE TABLE'
