-- Licence report: the user drill-down, one row per user and component (the columns of
-- reports/licence.py USER_COLUMNS, in order), at most :n rows (NULL: all). Flags as yes / no, as
-- every format shows them; enabled is blank for an id unknown to JDE security.
SELECT pu.user_id, u.user_name, c.family, pu.component_id, c.name,
       CASE WHEN pu.known_user THEN 'yes' ELSE 'no' END,
       CASE WHEN pu.enabled THEN 'yes' WHEN NOT pu.enabled THEN 'no' ELSE '' END,
       CASE WHEN pu.generic THEN 'yes' ELSE 'no' END,
       CASE WHEN pu.authorised THEN 'yes' ELSE 'no' END,
       pu.authorised_level, pu.via_roles, pu.objects,
       CASE WHEN pu.transacting_90d THEN 'yes' ELSE 'no' END,
       CASE WHEN pu.transacting_12m THEN 'yes' ELSE 'no' END,
       pu.transactions_12m, pu.last_transaction,
       CASE WHEN pu.using_90d THEN 'yes' ELSE 'no' END,
       CASE WHEN pu.using_12m THEN 'yes' ELSE 'no' END,
       pu.last_use, pu.last_login_date,
       CASE WHEN pu.candidate_to_revoke THEN 'yes' ELSE 'no' END
FROM {{schema}}.license_position_users pu
LEFT JOIN {{schema}}.settings_lic_components c ON c.component_id = pu.component_id
LEFT JOIN {{schema}}.security_users u ON u.apps_id = pu.apps_id AND u.user_id = pu.user_id
WHERE pu.apps_id = :a
ORDER BY pu.user_id, c.family, c.name, pu.component_id
LIMIT CAST(:n AS bigint)
