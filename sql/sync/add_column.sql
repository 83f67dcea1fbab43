-- A source column the existing target (or its stage) lacks, with the type the coercion plan chose.
ALTER TABLE {table} ADD COLUMN {column} {column_type}
