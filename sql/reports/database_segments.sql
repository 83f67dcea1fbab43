-- Partitioned objects, then tables with advanced compression, of the user schemas.
SELECT 'partitioned' AS evidence, owner, object_type, object_name, partitions AS segments, NULL AS compress_for,
       min_created, max_last_ddl
FROM {{schema}}.db_ora_partitions
WHERE apps_id = :a AND as_of_date = :d
UNION ALL
SELECT 'compressed', owner, object_type, object_name, segments, compress_for, NULL, NULL
FROM {{schema}}.db_ora_compression
WHERE apps_id = :a AND as_of_date = :d
ORDER BY 1 DESC, 2, 4, 3;
