-- LICENSE_POSITION (2/2, the position): the counts per component from the facts of
-- license_position_prepare.sql, compared with the entitlement lines under their metric; the user
-- drill-down; the history row of the as-of date; the data-quality list. Each table is replaced
-- for the application (the history for the as-of date) in the step's one transaction.

-- the counts per component (a user is counted once per component and count)
DROP TABLE IF EXISTS pg_temp.tmp_pos_counts;
CREATE TEMP TABLE tmp_pos_counts AS
SELECT component_id,
       count(*) FILTER (WHERE authorised)::integer AS authorised_users,
       count(*) FILTER (WHERE authorised_level = 'PUBLIC')::integer AS authorised_public_only,
       count(*) FILTER (WHERE authorised_level = 'DEFAULT')::integer AS authorised_default_only,
       count(*) FILTER (WHERE transacting_90d)::integer AS transacting_users_90d,
       count(*) FILTER (WHERE transacting_12m)::integer AS transacting_users_12m,
       count(*) FILTER (WHERE using_90d)::integer AS using_users_90d,
       count(*) FILTER (WHERE using_12m)::integer AS using_users_12m,
       count(*) FILTER (WHERE authorised AND NOT transacting_12m AND NOT using_12m)::integer AS candidates_to_revoke,
       max(last_transaction) AS last_transaction,
       max(last_use) AS last_use
FROM tmp_pos_users
GROUP BY component_id;
ANALYZE tmp_pos_counts;

-- required users: the authorised users of the component and of every component requiring it
-- (settings_jde_prereq, transitively): System Foundation counts every authorised user
DROP TABLE IF EXISTS pg_temp.tmp_pos_required;
CREATE TEMP TABLE tmp_pos_required AS
SELECT x.component_id, count(DISTINCT u.user_id)::integer AS required_users
FROM (
    SELECT component_id, component_id AS reached_through FROM tmp_pos_counts
    UNION
    SELECT prerequisite_id, component_id FROM tmp_pos_requires
) AS x
JOIN tmp_pos_users AS u ON u.component_id = x.reached_through AND u.authorised
GROUP BY x.component_id;
ANALYZE tmp_pos_required;

-- what the counts cover: the employees snapshot counted, the first day of transactions and usage
DROP TABLE IF EXISTS pg_temp.tmp_pos_coverage;
CREATE TEMP TABLE tmp_pos_coverage AS
SELECT s.extract_date AS employees_extract_date,
       (SELECT count(*)::integer FROM {{schema}}.license_jde_employees AS e
        WHERE e.apps_id = {{apps_id}} AND e.extract_date = s.extract_date AND e.internal AND NOT e.terminated)
           AS employees,
       (SELECT min(window_start) FROM {{schema}}.license_jde_tables
        WHERE apps_id = {{apps_id}} AND status = 'scanned') AS transactions_from,
       least((SELECT min(first_used) FROM {{schema}}.license_jde_out WHERE apps_id = {{apps_id}}),
             (SELECT min(usage_date) FROM {{schema}}.license_jde_out_daily WHERE apps_id = {{apps_id}})) AS usage_from
FROM (
    SELECT max(extract_date) AS extract_date FROM {{schema}}.license_jde_employees
    WHERE apps_id = {{apps_id}} AND extract_date <= {{as_of}}
) AS s;
ANALYZE tmp_pos_coverage;

DELETE FROM {{schema}}.license_position WHERE apps_id = {{apps_id}};

-- count: license_position
INSERT INTO {{schema}}.license_position
    (apps_id, component_id, as_of_date, authorised_users, authorised_public_only, authorised_default_only,
     required_users, transacting_users_90d, transacting_users_12m, using_users_90d, using_users_12m, employees,
     candidates_to_revoke, transactions_from, usage_from, employees_extract_date, last_transaction, last_use,
     entitlement_lines, metric_id, counted_by, entitled_quantity, compared_count, exposure, status,
     missing_prerequisites, restrictions, run_id)
WITH facts AS (
    SELECT c.component_id,
           coalesce(n.authorised_users, 0) AS authorised_users,
           coalesce(n.authorised_public_only, 0) AS authorised_public_only,
           coalesce(n.authorised_default_only, 0) AS authorised_default_only,
           coalesce(q.required_users, 0) AS required_users,
           coalesce(n.transacting_users_90d, 0) AS transacting_users_90d,
           coalesce(n.transacting_users_12m, 0) AS transacting_users_12m,
           coalesce(n.using_users_90d, 0) AS using_users_90d,
           coalesce(n.using_users_12m, 0) AS using_users_12m,
           coalesce(n.candidates_to_revoke, 0) AS candidates_to_revoke,
           n.last_transaction, n.last_use,
           coalesce(e.lines, 0) AS entitlement_lines, e.metrics,
           CASE WHEN e.metrics = 1 THEN e.metric_id END AS metric_id,
           CASE WHEN e.metrics = 1 THEN e.quantity END AS entitled_quantity,
           m.counted_by
    FROM {{schema}}.settings_lic_components AS c
    LEFT JOIN tmp_pos_counts AS n ON n.component_id = c.component_id
    LEFT JOIN tmp_pos_required AS q ON q.component_id = c.component_id
    LEFT JOIN tmp_pos_entitled AS e ON e.component_id = c.component_id
    LEFT JOIN {{schema}}.settings_lic_metrics AS m ON m.metric_id = e.metric_id AND e.metrics = 1
    WHERE c.price_list = 'JD Edwards' AND (n.component_id IS NOT NULL OR q.component_id IS NOT NULL OR e.lines > 0)
), compared AS (
    SELECT f.*, v.*,
           CASE
               WHEN f.entitlement_lines = 0 THEN f.required_users
               WHEN f.metrics > 1 THEN NULL
               WHEN f.counted_by = 'authorised' THEN f.required_users
               WHEN f.counted_by = 'employees' THEN v.employees
           END AS compared_count
    FROM facts AS f CROSS JOIN tmp_pos_coverage AS v
)
SELECT {{apps_id}}, x.component_id, {{as_of}}, x.authorised_users, x.authorised_public_only, x.authorised_default_only,
       x.required_users, x.transacting_users_90d, x.transacting_users_12m, x.using_users_90d, x.using_users_12m,
       x.employees, x.candidates_to_revoke, x.transactions_from, x.usage_from, x.employees_extract_date,
       x.last_transaction, x.last_use, x.entitlement_lines, x.metric_id,
       CASE WHEN x.entitlement_lines > 0 AND x.metrics = 1 THEN x.counted_by END,
       x.entitled_quantity, x.compared_count,
       x.compared_count - coalesce(x.entitled_quantity, 0),
       CASE
           WHEN x.entitlement_lines = 0 THEN 'not_entitled'
           WHEN x.metrics > 1 THEN 'conflicting_metrics'
           WHEN x.compared_count IS NULL THEN 'not_countable'
           WHEN x.compared_count > x.entitled_quantity THEN 'exposed'
           ELSE 'compliant'
       END,
       (SELECT string_agg(pc.name || ' (' || p.prerequisite_id || ')', ', ' ORDER BY p.prerequisite_id)
        FROM {{schema}}.settings_jde_prereq AS p
        JOIN {{schema}}.settings_lic_components AS pc ON pc.component_id = p.prerequisite_id
        WHERE p.component_id = x.component_id
          AND NOT EXISTS (SELECT 1 FROM tmp_pos_entitled AS pe WHERE pe.component_id = p.prerequisite_id)),
       (SELECT string_agg(r.restriction, '; ' ORDER BY r.restriction_id)
        FROM {{schema}}.settings_jde_restrictions AS r WHERE r.component_id = x.component_id),
       {{run_id}}
FROM compared AS x;

-- the history row of the as-of date (a re-run for the same date replaces it)
DELETE FROM {{schema}}.license_position_history WHERE apps_id = {{apps_id}} AND as_of_date = {{as_of}};

-- count: license_position_history
INSERT INTO {{schema}}.license_position_history
    (apps_id, as_of_date, component_id, authorised_users, authorised_public_only, authorised_default_only,
     required_users, transacting_users_90d, transacting_users_12m, using_users_90d, using_users_12m, employees,
     candidates_to_revoke, metric_id, counted_by, entitled_quantity, compared_count, exposure, status, run_id)
SELECT apps_id, as_of_date, component_id, authorised_users, authorised_public_only, authorised_default_only,
       required_users, transacting_users_90d, transacting_users_12m, using_users_90d, using_users_12m, employees,
       candidates_to_revoke, metric_id, counted_by, entitled_quantity, compared_count, exposure, status, run_id
FROM {{schema}}.license_position
WHERE apps_id = {{apps_id}};

DELETE FROM {{schema}}.license_position_users WHERE apps_id = {{apps_id}};

-- count: license_position_users
INSERT INTO {{schema}}.license_position_users
    (apps_id, component_id, user_id, known_user, enabled, generic, authorised, authorised_level, via_roles, objects,
     transacting_90d, transacting_12m, transactions_12m, last_transaction, using_90d, using_12m, last_use,
     last_login_date, candidate_to_revoke, run_id)
SELECT {{apps_id}}, u.component_id, u.user_id, p.known_user, p.enabled,
       p.generic_pattern IS NOT NULL OR p.no_person, u.authorised, u.authorised_level, u.via_roles, u.objects,
       u.transacting_90d, u.transacting_12m, u.transactions_12m, u.last_transaction, u.using_90d, u.using_12m,
       u.last_use, p.last_login_date, u.authorised AND NOT u.transacting_12m AND NOT u.using_12m, {{run_id}}
FROM tmp_pos_users AS u
JOIN tmp_pos_people AS p ON p.user_id = u.user_id;

-- the data-quality list: what inflates or blurs the counts
DELETE FROM {{schema}}.license_data_quality WHERE apps_id = {{apps_id}};

-- count: dq_enabled_without_role
INSERT INTO {{schema}}.license_data_quality (apps_id, check_name, subject, component_id, detail, run_id)
SELECT {{apps_id}}, 'enabled_without_role', user_id, NULL,
       'enabled, no active role; last sign-on ' || coalesce(last_login_date::text, 'never'), {{run_id}}
FROM {{schema}}.security_users
WHERE apps_id = {{apps_id}} AND enabled AND no_role;

-- count: dq_disabled_with_roles
INSERT INTO {{schema}}.license_data_quality (apps_id, check_name, subject, component_id, detail, run_id)
SELECT {{apps_id}}, 'disabled_with_roles', u.user_id, NULL,
       'disabled, active roles: ' || string_agg(DISTINCT a.role_id, ', ' ORDER BY a.role_id), {{run_id}}
FROM {{schema}}.security_users AS u
JOIN {{schema}}.security_assignments AS a ON a.apps_id = u.apps_id AND a.user_id = u.user_id AND a.status = 'active'
WHERE u.apps_id = {{apps_id}} AND NOT u.enabled
GROUP BY u.user_id;

-- count: dq_unknown_user
INSERT INTO {{schema}}.license_data_quality (apps_id, check_name, subject, component_id, detail, run_id)
SELECT {{apps_id}}, 'unknown_user', u.user_id, min(u.component_id),
       concat_ws('; ',
                 CASE WHEN bool_or(u.transacting_12m) THEN
                     sum(u.transactions_12m)::text || ' transactions in 12 months, last ' || max(u.last_transaction)
                 END,
                 CASE WHEN bool_or(u.using_12m) THEN 'uses in Object Usage Tracking, last ' || max(u.last_use) END,
                 count(DISTINCT u.component_id) || ' component(s)'),
       {{run_id}}
FROM tmp_pos_users AS u
JOIN tmp_pos_people AS p ON p.user_id = u.user_id AND NOT p.known_user
GROUP BY u.user_id;

-- count: dq_duplicate_person
INSERT INTO {{schema}}.license_data_quality (apps_id, check_name, subject, component_id, detail, run_id)
SELECT {{apps_id}}, 'duplicate_person', u.user_id, NULL,
       'address number ' || u.address_number || ' shared with: '
           || (SELECT string_agg(o.user_id, ', ' ORDER BY o.user_id) FROM {{schema}}.security_users AS o
               WHERE o.apps_id = u.apps_id AND o.address_number = u.address_number AND o.user_id <> u.user_id),
       {{run_id}}
FROM {{schema}}.security_users AS u
WHERE u.apps_id = {{apps_id}} AND u.address_number IS NOT NULL
  AND EXISTS (SELECT 1 FROM {{schema}}.security_users AS o
              WHERE o.apps_id = u.apps_id AND o.address_number = u.address_number AND o.user_id <> u.user_id);

-- count: dq_generic_id
INSERT INTO {{schema}}.license_data_quality (apps_id, check_name, subject, component_id, detail, run_id)
SELECT {{apps_id}}, 'generic_id', user_id, NULL,
       concat_ws('; ', CASE WHEN no_person THEN 'account without address number (no person behind it)' END,
                 CASE WHEN generic_pattern IS NOT NULL THEN 'matches generic pattern ' || generic_pattern END,
                 CASE WHEN NOT known_user THEN 'unknown to JDE security' END),
       {{run_id}}
FROM tmp_pos_people
WHERE no_person OR generic_pattern IS NOT NULL;

-- count: dq_public_object
INSERT INTO {{schema}}.license_data_quality (apps_id, check_name, subject, component_id, detail, run_id)
SELECT {{apps_id}}, 'public_object', r.object_name, ob.component_id,
       '*PUBLIC may run it (record ' || coalesce(r.decided_object, r.object_name) || ')', {{run_id}}
FROM {{schema}}.security_rights_roles AS r
JOIN tmp_pos_objects AS ob ON ob.object_name = r.object_name
WHERE r.apps_id = {{apps_id}} AND r.role_id = '*PUBLIC' AND r.decided_level = 'PUBLIC' AND r.can_run
  AND r.form_name = '' AND r.version = '';
