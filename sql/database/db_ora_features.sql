-- DB_ORA_FEATURES: mark the current row set of each container. The statistics keep a row set per
-- (DBID, VERSION) the database ever had (upgrades and clones leave old sets behind); only the
-- newest is sampled any more: latest LAST_SAMPLE_DATE, then highest DBID.
-- count: current_entry
UPDATE {{schema}}.db_ora_features f
SET current_entry = true
FROM (
    SELECT DISTINCT ON (con_id) con_id, dbid, version, last_sample_date
    FROM {{schema}}.db_ora_features
    WHERE apps_id = {{apps_id}} AND as_of_date = {{as_of}}
    ORDER BY con_id, last_sample_date DESC NULLS LAST, dbid DESC, version DESC
) newest
WHERE f.apps_id = {{apps_id}} AND f.as_of_date = {{as_of}}
  AND f.con_id = newest.con_id AND f.dbid = newest.dbid AND f.version = newest.version
  AND f.last_sample_date IS NOT DISTINCT FROM newest.last_sample_date;

-- the latest sample, shown with the database's properties
UPDATE {{schema}}.db_ora_properties p
SET last_sample_date = (
    SELECT max(last_sample_date) FROM {{schema}}.db_ora_features
    WHERE apps_id = {{apps_id}} AND as_of_date = {{as_of}} AND current_entry
)
WHERE p.apps_id = {{apps_id}} AND p.as_of_date = {{as_of}};
