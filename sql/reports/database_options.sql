-- The options installed (GV$OPTION), one row per option with the instances it is installed on.
SELECT parameter, bool_and(value) AS installed_everywhere, count(*) FILTER (WHERE value) AS instances_installed,
       count(*) AS instances
FROM {{schema}}.db_ora_options
WHERE apps_id = :a AND as_of_date = :d
GROUP BY parameter
ORDER BY parameter;
