-- Licence report: the findings of one data-quality check (:c), at most :n rows (NULL: all).
SELECT dq.subject, dq.component_id, c.name, dq.detail
FROM {{schema}}.license_data_quality dq
LEFT JOIN {{schema}}.settings_lic_components c ON c.component_id = dq.component_id
WHERE dq.apps_id = :a AND dq.check_name = :c
ORDER BY dq.subject
LIMIT CAST(:n AS bigint)
