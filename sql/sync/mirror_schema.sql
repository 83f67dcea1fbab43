-- The mirror schema, created on purpose by deploy-databases only (a sync never creates one).
CREATE SCHEMA {schema}
