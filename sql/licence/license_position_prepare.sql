-- LICENSE_POSITION (1/2, the facts): per licence component and user, what grants the user the
-- component (security_rights_users), what the user wrote in its tables (license_jde_users) and
-- which of its objects the user ran (Object Usage Tracking), as of {{as_of}}. Set-based, in TEMP
-- tables the write (license_position_write.sql) reads. Windows: 90 days = [as_of - 90, as_of],
-- 12 months = [as_of - 365, as_of], both ends included (the window rule of nomasx1-license-1).

-- the objects of the JD Edwards components: jde_objects' system code is F9860 SISY after the
-- reclassification (settings_jde_rclst, custom 55-59 codes included); its component comes from
-- settings_jde_sy
DROP TABLE IF EXISTS pg_temp.tmp_pos_objects;
CREATE TEMP TABLE tmp_pos_objects AS
SELECT o.object_name, sy.component_id
FROM {{schema}}.jde_objects AS o
JOIN {{schema}}.settings_jde_sy AS sy ON sy.system_code = o.system_code
JOIN {{schema}}.settings_lic_components AS c ON c.component_id = sy.component_id AND c.price_list = 'JD Edwards'
WHERE o.apps_id = {{apps_id}};
CREATE UNIQUE INDEX ON tmp_pos_objects (object_name);
ANALYZE tmp_pos_objects;

-- authorised: enabled users who may run (can_run) at least one object of the component, at any
-- key (object, form or version), with the strongest level that grants it (USER 1, ROLE 2, PUBLIC
-- 3, DEFAULT 4), the objects they may run as a whole (the object-level key: form and version '')
-- and the roles whose records decide those grants. One pass over the rights, hashed on (component,
-- user, deciding role): a few groups per user and component whatever the number of rights; each
-- object-level key has one deciding record, so summing its counts over the roles is exact. Only
-- then the enabled users (a small join, after the big scan).
DROP TABLE IF EXISTS pg_temp.tmp_pos_grants;
CREATE TEMP TABLE tmp_pos_grants AS
SELECT ob.component_id, r.user_id, CASE WHEN r.decided_level = 'ROLE' THEN r.decided_by END AS role,
       min(CASE r.decided_level WHEN 'USER' THEN 1 WHEN 'ROLE' THEN 2 WHEN 'PUBLIC' THEN 3 ELSE 4 END) AS level,
       count(*) FILTER (WHERE r.form_name = '' AND r.version = '') AS objects
FROM {{schema}}.security_rights_users AS r
JOIN tmp_pos_objects AS ob ON ob.object_name = r.object_name
WHERE r.apps_id = {{apps_id}} AND r.can_run
GROUP BY 1, 2, 3;

DROP TABLE IF EXISTS pg_temp.tmp_pos_authorised;
CREATE TEMP TABLE tmp_pos_authorised AS
SELECT g.component_id, g.user_id, min(g.level) AS level, sum(g.objects)::integer AS objects,
       string_agg(g.role, ', ' ORDER BY g.role) AS via_roles
FROM tmp_pos_grants AS g
JOIN {{schema}}.security_users AS u ON u.apps_id = {{apps_id}} AND u.user_id = g.user_id AND u.enabled
GROUP BY g.component_id, g.user_id;

-- transacting: the users who wrote in the component's tables over 12 months, and whether over 90
-- days. The tables' components first (license_jde_tables.system_code is F9860 SISY after the
-- reclassification): a handful of rows the big read joins by hash.
DROP TABLE IF EXISTS pg_temp.tmp_pos_tables;
CREATE TEMP TABLE tmp_pos_tables AS
SELECT t.schema_name, t.table_name, sy.component_id
FROM {{schema}}.license_jde_tables AS t
JOIN {{schema}}.settings_jde_sy AS sy ON sy.system_code = t.system_code
JOIN {{schema}}.settings_lic_components AS c ON c.component_id = sy.component_id AND c.price_list = 'JD Edwards'
WHERE t.apps_id = {{apps_id}};
ANALYZE tmp_pos_tables;

DROP TABLE IF EXISTS pg_temp.tmp_pos_transacting;
CREATE TEMP TABLE tmp_pos_transacting AS
SELECT t.component_id, u.user_id,
       max(u.transaction_date) AS last_transaction,
       bool_or(u.transaction_date >= {{as_of}} - 90) AS in_90d,
       sum(u.transactions)::bigint AS transactions
FROM {{schema}}.license_jde_users AS u
JOIN tmp_pos_tables AS t ON t.schema_name = u.schema_name AND t.table_name = u.table_name
WHERE u.apps_id = {{apps_id}} AND u.transaction_date BETWEEN {{as_of}} - 365 AND {{as_of}}
GROUP BY t.component_id, u.user_id;

-- using: the users who ran the component's objects. The last use on or before the as-of date is
-- the last-use table's last use (license_jde_out keeps the latest date loaded, beyond any purge)
-- when that is on or before the as-of date. For a use after it (a past as-of date), the raw daily
-- rows (license_jde_out_daily, kept out_retention_days) and the first use: the latest use nomasx1
-- still knows of. The daily rows are read only when such a later use exists (a one-time test).
DROP TABLE IF EXISTS pg_temp.tmp_pos_using;
CREATE TEMP TABLE tmp_pos_using AS
SELECT ob.component_id, x.user_id, max(x.last_use) AS last_use
FROM (
    SELECT object_name, user_id, usage_date AS last_use
    FROM {{schema}}.license_jde_out_daily
    WHERE apps_id = {{apps_id}} AND usage_date BETWEEN {{as_of}} - 365 AND {{as_of}}
      AND EXISTS (SELECT 1 FROM {{schema}}.license_jde_out WHERE apps_id = {{apps_id}} AND last_used > {{as_of}})
    UNION ALL
    SELECT object_name, user_id,
           CASE WHEN last_used <= {{as_of}} THEN last_used WHEN first_used <= {{as_of}} THEN first_used END
    FROM {{schema}}.license_jde_out
    WHERE apps_id = {{apps_id}} AND first_used <= {{as_of}} AND (last_used >= {{as_of}} - 365 OR first_used >= {{as_of}} - 365)
) AS x
JOIN tmp_pos_objects AS ob ON ob.object_name = x.object_name
WHERE x.last_use >= {{as_of}} - 365
GROUP BY ob.component_id, x.user_id;

-- generic, batch and service ids: a JDE account without address number (no person behind it), or
-- an id matching one of the application's generic_user_patterns (case-insensitive)
DROP TABLE IF EXISTS pg_temp.tmp_pos_patterns;
CREATE TEMP TABLE tmp_pos_patterns AS
SELECT unnest({{generic_patterns}}::text[]) AS pattern;

DROP TABLE IF EXISTS pg_temp.tmp_pos_people;
CREATE TEMP TABLE tmp_pos_people AS
SELECT ids.user_id, k.user_id IS NOT NULL AS known_user, k.enabled, k.last_login_date,
       (SELECT min(p.pattern) FROM tmp_pos_patterns AS p WHERE ids.user_id ~* p.pattern) AS generic_pattern,
       k.user_id IS NOT NULL AND k.address_number IS NULL AS no_person
FROM (
    SELECT user_id FROM tmp_pos_authorised
    UNION SELECT user_id FROM tmp_pos_transacting
    UNION SELECT user_id FROM tmp_pos_using
) AS ids
LEFT JOIN {{schema}}.security_users AS k ON k.apps_id = {{apps_id}} AND k.user_id = ids.user_id;
CREATE UNIQUE INDEX ON tmp_pos_people (user_id);

-- per component and user, the three facts side by side
DROP TABLE IF EXISTS pg_temp.tmp_pos_users;
CREATE TEMP TABLE tmp_pos_users AS
SELECT coalesce(a.component_id, t.component_id, s.component_id) AS component_id,
       coalesce(a.user_id, t.user_id, s.user_id) AS user_id,
       a.user_id IS NOT NULL AS authorised,
       CASE a.level WHEN 1 THEN 'USER' WHEN 2 THEN 'ROLE' WHEN 3 THEN 'PUBLIC' WHEN 4 THEN 'DEFAULT' END
           AS authorised_level,
       a.via_roles, coalesce(a.objects, 0) AS objects,
       coalesce(t.in_90d, false) AS transacting_90d, t.user_id IS NOT NULL AS transacting_12m,
       coalesce(t.transactions, 0) AS transactions_12m, t.last_transaction,
       coalesce(s.last_use >= {{as_of}} - 90, false) AS using_90d, s.user_id IS NOT NULL AS using_12m, s.last_use
FROM tmp_pos_authorised AS a
FULL JOIN tmp_pos_transacting AS t ON t.component_id = a.component_id AND t.user_id = a.user_id
FULL JOIN tmp_pos_using AS s
  ON s.component_id = coalesce(a.component_id, t.component_id) AND s.user_id = coalesce(a.user_id, t.user_id);
CREATE INDEX ON tmp_pos_users (component_id);
ANALYZE tmp_pos_users;

-- prerequisites, transitively: (component, a component it requires, directly or not)
DROP TABLE IF EXISTS pg_temp.tmp_pos_requires;
CREATE TEMP TABLE tmp_pos_requires AS
WITH RECURSIVE requires (component_id, prerequisite_id) AS (
    SELECT component_id, prerequisite_id FROM {{schema}}.settings_jde_prereq
    UNION
    SELECT r.component_id, p.prerequisite_id
    FROM requires AS r JOIN {{schema}}.settings_jde_prereq AS p ON p.component_id = r.prerequisite_id
)
SELECT component_id, prerequisite_id FROM requires;

-- the entitlement lines active on the as-of date, per component (entitlement_active: the one
-- active rule, collectors/licence/entitlements.py active_on); lines under several metrics cannot
-- be summed: the position says so
DROP TABLE IF EXISTS pg_temp.tmp_pos_entitled;
CREATE TEMP TABLE tmp_pos_entitled AS
SELECT e.component_id, count(*)::integer AS lines, count(DISTINCT e.metric_id)::integer AS metrics,
       min(e.metric_id) AS metric_id, sum(e.quantity) AS quantity
FROM {{schema}}.license_entitlements AS e
WHERE e.apps_id = {{apps_id}} AND {{entitlement_active}}
GROUP BY e.component_id;
ANALYZE tmp_pos_entitled;
