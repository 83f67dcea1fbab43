-- Licence report: the component grid, one row per license_position row (the columns of
-- reports/licence.py COMPONENT_COLUMNS, in order), ordered by family and component name.
SELECT c.family, p.component_id, c.name,
       p.authorised_users, p.authorised_public_only, p.authorised_default_only, p.required_users,
       p.transacting_users_90d, p.transacting_users_12m, p.using_users_90d, p.using_users_12m,
       p.employees, p.last_transaction, p.last_use,
       m.name, p.counted_by, p.entitlement_lines, p.entitled_quantity, p.compared_count, p.exposure,
       p.status, p.missing_prerequisites, p.restrictions, p.candidates_to_revoke
FROM {{schema}}.license_position p
LEFT JOIN {{schema}}.settings_lic_components c ON c.component_id = p.component_id
LEFT JOIN {{schema}}.settings_lic_metrics m ON m.metric_id = p.metric_id
WHERE p.apps_id = :a
ORDER BY c.family, c.name, p.component_id
