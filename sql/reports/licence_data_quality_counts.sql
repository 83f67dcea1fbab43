-- Licence report scope: the data-quality findings of the position, per check.
SELECT check_name, count(*)
FROM {{schema}}.license_data_quality
WHERE apps_id = :a
GROUP BY check_name
