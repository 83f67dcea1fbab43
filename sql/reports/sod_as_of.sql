-- SoD report: the date the run checked the exceptions for (its history rows), else the date of
-- the rights it read (NULL: the caller falls back to the run's day).
SELECT coalesce(
    (SELECT as_of_date FROM {{schema}}.sod_conflict_history
     WHERE apps_id = :a AND run_id = :r AND as_of_date IS NOT NULL LIMIT 1),
    (SELECT max(as_of_date) FROM {{schema}}.security_rights_users WHERE apps_id = :a))
