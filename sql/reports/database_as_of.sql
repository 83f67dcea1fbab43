-- The as-of dates of an application's database collection (db_ora_licenses), latest first.
SELECT as_of_date, max(refreshed_at) AS refreshed_at, max(run_id) AS run_id
FROM {{schema}}.db_ora_licenses
WHERE apps_id = :a
GROUP BY as_of_date
ORDER BY as_of_date DESC;
