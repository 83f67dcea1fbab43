-- Licence report scope: the position of one application (replaced whole by LICENSE_POSITION, so
-- one as-of date and one run), its coverage and its components per status. count = 0: no position.
SELECT count(*),
       max(as_of_date),
       max(refreshed_at),
       (array_agg(run_id ORDER BY refreshed_at DESC, run_id DESC))[1],
       min(transactions_from),
       min(usage_from),
       max(employees_extract_date),
       count(*) FILTER (WHERE status = 'compliant'),
       count(*) FILTER (WHERE status = 'exposed'),
       count(*) FILTER (WHERE status = 'not_entitled'),
       count(*) FILTER (WHERE status = 'not_countable'),
       count(*) FILTER (WHERE status = 'conflicting_metrics')
FROM {{schema}}.license_position
WHERE apps_id = :a
