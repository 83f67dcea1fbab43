-- DB_ORA_LICENSES: per licensable product, used or not, on what evidence, since when, and the
-- finding (docs/database.md). Everything derives from the run's row sets (db_ora_properties,
-- db_ora_features, db_ora_partitions, db_ora_compression) and the usage map of the reference
-- data (settings_db_features: feature + version range -> product + condition; settings_db_options:
-- the product's kind, component and object check). The run's as-of date's rows are replaced.
-- Tokens: entitlement_active (an active license_entitlements line "e" on the as-of date).

CREATE TEMP TABLE tmp_ora_props ON COMMIT DROP AS
SELECT * FROM {{schema}}.db_ora_properties WHERE apps_id = {{apps_id}} AND as_of_date = {{as_of}};

-- 1. each sampled feature row joined to the map's rules of its name whose version range holds its
-- version (compared number by number); INVALID rules never count, C003 / C005 only in the root
-- or a non-CDB
CREATE TEMP TABLE tmp_ora_rules ON COMMIT DROP AS
SELECT r.option_name AS product, f.name AS feature_name, f.con_id, f.dbid, f.version, r.condition,
       f.detected_usages, f.currently_used, f.current_entry, f.first_usage_date, f.last_usage_date,
       f.feature_info, f.aux_count
FROM {{schema}}.db_ora_features f
JOIN {{schema}}.settings_db_features r
  ON r.feature_name = f.name
 AND string_to_array(substring(f.version FROM '^[0-9]+(?:\.[0-9]+)*'), '.')::int[]
     >= string_to_array(r.min_version, '.')::int[]
 AND (r.below_version IS NULL
      OR string_to_array(substring(f.version FROM '^[0-9]+(?:\.[0-9]+)*'), '.')::int[]
         < string_to_array(r.below_version, '.')::int[])
WHERE f.apps_id = {{apps_id}} AND f.as_of_date = {{as_of}} AND f.total_samples > 0
  AND r.condition IS DISTINCT FROM 'INVALID'
  AND NOT (r.condition IN ('C003', 'C005') AND f.con_id NOT IN (0, 1));

-- 2. the condition of each row: C001 / C002 read FEATURE_INFO's counters (counter-based: they
-- may come from past use); a 12.1 text where compression is counted but every algorithm counter
-- is 0 is a known false positive
CREATE TEMP TABLE tmp_ora_met ON COMMIT DROP AS
SELECT t.*,
       CASE t.condition
           WHEN 'C001' THEN coalesce(t.feature_info ~* 'compression[ -]used: *(true|[1-9][0-9]* times)', false)
                AND NOT (t.version ~ '^12\.1\.' AND t.feature_info ~* 'algorithm used'
                         AND t.feature_info !~* 'algorithm used: *[1-9]')
           WHEN 'C002' THEN coalesce(t.feature_info ~* 'encryption[ -]used: *(true|[1-9][0-9]* times)', false)
           WHEN 'C003' THEN t.con_id = 1 AND coalesce(t.aux_count, 0) > 1
           WHEN 'C005' THEN t.con_id = 1 AND coalesce(t.aux_count, 0) > 3
           WHEN 'C004' THEN NOT coalesce((SELECT cloud_package FROM tmp_ora_props), false)
           WHEN 'BUG' THEN false
       END AS condition_met
FROM tmp_ora_rules t;

-- 3. the ladder per feature row (docs/database.md, "The usage ladder")
DELETE FROM {{schema}}.db_ora_license_features WHERE apps_id = {{apps_id}} AND as_of_date = {{as_of}};

-- count: db_ora_license_features
INSERT INTO {{schema}}.db_ora_license_features
    (apps_id, as_of_date, product, feature_name, con_id, dbid, version, condition, condition_met, usage,
     detected_usages, currently_used, current_entry, first_usage_date, last_usage_date, feature_info, run_id)
SELECT {{apps_id}}, {{as_of}}, m.product, m.feature_name, m.con_id, m.dbid, m.version, m.condition, m.condition_met,
       CASE
           WHEN m.condition = 'BUG' AND m.detected_usages > 0 THEN 'SUPPRESSED_DUE_TO_BUG'
           WHEN m.detected_usages > 0 AND m.currently_used AND m.current_entry
                AND (m.condition IS NULL OR (m.condition_met AND m.condition NOT IN ('C001', 'C002')))
               THEN 'CURRENT_USAGE'
           WHEN m.detected_usages > 0 AND m.currently_used AND m.current_entry AND m.condition_met
               THEN 'PAST_OR_CURRENT_USAGE'
           WHEN m.detected_usages > 0 AND (m.condition IS NULL OR m.condition_met) THEN 'PAST_USAGE'
           WHEN m.current_entry THEN 'NO_CURRENT_USAGE'
           ELSE 'NO_PAST_USAGE'
       END,
       m.detected_usages, m.currently_used, m.current_entry,
       CASE WHEN m.condition_met IS NOT false THEN m.first_usage_date END,
       CASE WHEN m.condition_met IS NOT false THEN m.last_usage_date END,
       left(m.feature_info, 4000), {{run_id}}
FROM tmp_ora_met m;

-- 4. per product: the highest level of its features, the dates of the rows that count
CREATE TEMP TABLE tmp_ora_usage ON COMMIT DROP AS
SELECT lf.product,
       (ARRAY['NO_PAST_USAGE', 'NO_CURRENT_USAGE', 'SUPPRESSED_DUE_TO_BUG', 'PAST_USAGE', 'PAST_OR_CURRENT_USAGE',
              'CURRENT_USAGE'])[max(array_position(ARRAY['NO_PAST_USAGE', 'NO_CURRENT_USAGE', 'SUPPRESSED_DUE_TO_BUG',
              'PAST_USAGE', 'PAST_OR_CURRENT_USAGE', 'CURRENT_USAGE'], lf.usage))] AS usage,
       min(lf.first_usage_date) FILTER (WHERE lf.usage IN ('PAST_USAGE', 'PAST_OR_CURRENT_USAGE', 'CURRENT_USAGE'))
           AS first_usage_date,
       max(lf.last_usage_date) FILTER (WHERE lf.usage IN ('PAST_USAGE', 'PAST_OR_CURRENT_USAGE', 'CURRENT_USAGE'))
           AS last_usage_date,
       count(DISTINCT lf.feature_name)
           FILTER (WHERE lf.usage IN ('PAST_USAGE', 'PAST_OR_CURRENT_USAGE', 'CURRENT_USAGE')) AS features_used,
       string_agg(DISTINCT lf.feature_name || ' (' || lf.detected_usages || ' usages, ' || lower(replace(lf.usage, '_', ' '))
                  || coalesce(', last ' || to_char(lf.last_usage_date, 'YYYY-MM-DD'), '') || ')', '; ')
           FILTER (WHERE lf.usage IN ('PAST_USAGE', 'PAST_OR_CURRENT_USAGE', 'CURRENT_USAGE')) AS feature_evidence
FROM {{schema}}.db_ora_license_features lf
WHERE lf.apps_id = {{apps_id}} AND lf.as_of_date = {{as_of}}
GROUP BY lf.product;

-- 5. the object checks of the reference data: what the dictionary shows besides feature usage
CREATE TEMP TABLE tmp_ora_objects ON COMMIT DROP AS
SELECT o.option_name AS product, o.object_check,
       CASE o.object_check
           WHEN 'instances' THEN CASE WHEN p.instance_count > 1
               THEN p.instance_count || ' instances in GV$INSTANCE' END
           WHEN 'partitions' THEN (
               SELECT count(*) || ' partitioned objects in ' || string_agg(DISTINCT owner, ', ' ORDER BY owner)
               FROM {{schema}}.db_ora_partitions
               WHERE apps_id = {{apps_id}} AND as_of_date = {{as_of}} HAVING count(*) > 0)
           WHEN 'compression' THEN (
               SELECT sum(segments) || ' tables or partitions with advanced compression ('
                      || string_agg(DISTINCT owner || '.' || object_name || ' ' || compress_for, ', ') || ')'
               FROM {{schema}}.db_ora_compression
               WHERE apps_id = {{apps_id}} AND as_of_date = {{as_of}} HAVING count(*) > 0)
           WHEN 'active_data_guard' THEN CASE WHEN p.active_data_guard
               THEN 'a physical standby open read-only with redo apply (this database: '
                    || coalesce(p.database_role, '?') || ', ' || coalesce(p.open_mode, '?') || ')' END
           WHEN 'pdbs' THEN CASE WHEN p.user_pdbs > CASE WHEN p.major_version >= 19 THEN 3 ELSE 1 END
               THEN p.user_pdbs || ' user PDBs (more than ' || CASE WHEN p.major_version >= 19 THEN 3 ELSE 1 END
                    || ' need Multitenant on ' || p.major_version || 'c)' END
       END AS object_evidence,
       CASE o.object_check
           WHEN 'partitions' THEN (SELECT min(min_created) FROM {{schema}}.db_ora_partitions
                                   WHERE apps_id = {{apps_id}} AND as_of_date = {{as_of}})
       END AS object_since,
       CASE
           WHEN o.object_check = 'diagnostics_access'
                AND upper(p.management_pack_access) IN ('DIAGNOSTIC', 'DIAGNOSTIC+TUNING')
               THEN 'control_management_pack_access = ' || p.management_pack_access || ' allows the pack'
           WHEN o.object_check = 'tuning_access' AND upper(p.management_pack_access) = 'DIAGNOSTIC+TUNING'
               THEN 'control_management_pack_access = ' || p.management_pack_access || ' allows the pack'
       END AS access_evidence
FROM {{schema}}.settings_db_options o
CROSS JOIN tmp_ora_props p
WHERE o.object_check IS NOT NULL;

-- 6. the verdict per product: the edition of the database, then every product of the map
CREATE TEMP TABLE tmp_ora_verdicts ON COMMIT DROP AS
SELECT p.edition AS product, 'edition' AS product_kind, v.component_id, 'CURRENT_USAGE' AS usage, true AS used,
       'V$VERSION: ' || p.product AS evidence, NULL::timestamptz AS first_usage_date,
       NULL::timestamptz AS last_usage_date, 0 AS features_used, v.component_id IS NULL AS unknown_edition
FROM tmp_ora_props p
LEFT JOIN {{schema}}.settings_db_versions v ON v.edition = p.edition
UNION ALL
SELECT o.option_name, o.product_kind, o.component_id, coalesce(u.usage, 'NO_PAST_USAGE'),
       coalesce(u.usage IN ('PAST_USAGE', 'PAST_OR_CURRENT_USAGE', 'CURRENT_USAGE'), false)
           OR ob.object_evidence IS NOT NULL,
       nullif(concat_ws('; ', 'features: ' || u.feature_evidence, ob.object_evidence, ob.access_evidence), ''),
       CASE WHEN ob.object_since IS NOT NULL AND (u.first_usage_date IS NULL OR ob.object_since < u.first_usage_date)
            THEN ob.object_since ELSE u.first_usage_date END,
       u.last_usage_date, coalesce(u.features_used, 0), false
FROM {{schema}}.settings_db_options o
LEFT JOIN tmp_ora_usage u ON u.product = o.option_name
LEFT JOIN tmp_ora_objects ob ON ob.product = o.option_name;

CREATE TEMP TABLE tmp_ora_entitled ON COMMIT DROP AS
SELECT DISTINCT e.component_id
FROM {{schema}}.license_entitlements e
WHERE e.apps_id = {{apps_id}} AND {{entitlement_active}};

DELETE FROM {{schema}}.db_ora_licenses WHERE apps_id = {{apps_id}} AND as_of_date = {{as_of}};

-- 7. the finding: what to verify (JDE databases: Technology Foundation includes Standard Edition
-- for restricted use only, no Enterprise Edition option or pack)
-- count: db_ora_licenses
INSERT INTO {{schema}}.db_ora_licenses
    (apps_id, as_of_date, product, product_kind, component_id, usage, used, evidence, first_usage_date,
     last_usage_date, features_used, entitled, severity, finding, run_id)
SELECT {{apps_id}}, {{as_of}}, v.product, v.product_kind, v.component_id, v.usage, v.used, v.evidence,
       v.first_usage_date, v.last_usage_date, v.features_used, x.entitled, x.severity, x.finding, {{run_id}}
FROM tmp_ora_verdicts v
CROSS JOIN tmp_ora_props p
CROSS JOIN LATERAL (
    SELECT CASE WHEN v.component_id IS NULL THEN NULL
                ELSE EXISTS (SELECT 1 FROM tmp_ora_entitled e WHERE e.component_id = v.component_id) END AS entitled
) ent
CROSS JOIN LATERAL (
    SELECT ent.entitled,
        CASE
            WHEN v.product_kind = 'edition' AND v.unknown_edition THEN 'warning'
            WHEN v.product_kind = 'edition' AND v.product IN ('Express Edition', 'Free') THEN NULL
            WHEN v.product_kind = 'edition' AND {{jde_database}} AND v.product LIKE 'Standard Edition%' THEN NULL
            WHEN v.product_kind = 'edition' AND {{jde_database}} THEN CASE WHEN ent.entitled THEN 'warning' ELSE 'risk' END
            WHEN v.product_kind = 'edition' THEN CASE WHEN ent.entitled THEN NULL ELSE 'risk' END
            WHEN v.used AND v.product_kind = 'other' THEN 'information'
            WHEN v.used AND p.edition LIKE 'Standard Edition%' THEN 'risk'
            WHEN v.used AND ent.entitled IS NULL THEN 'warning'
            WHEN v.used AND {{jde_database}} THEN CASE WHEN ent.entitled THEN 'warning' ELSE 'risk' END
            WHEN v.used THEN CASE WHEN ent.entitled THEN NULL ELSE 'risk' END
            WHEN v.evidence LIKE '%allows the pack%' AND NOT coalesce(ent.entitled, false) THEN 'warning'
        END AS severity,
        CASE
            WHEN v.product_kind = 'edition' AND v.unknown_edition
                THEN 'edition ' || v.product || ' has no licence component in settings_db_versions: add it, or check '
                     || 'the banner'
            WHEN v.product_kind = 'edition' AND v.product IN ('Express Edition', 'Free') THEN NULL
            WHEN v.product_kind = 'edition' AND {{jde_database}} AND v.product LIKE 'Standard Edition%' THEN NULL
            WHEN v.product_kind = 'edition' AND {{jde_database}} AND ent.entitled
                THEN 'Enterprise Edition on a JD Edwards database: entitled; check the line is a full-use licence '
                     || '(Technology Foundation includes Standard Edition only, for restricted use)'
            WHEN v.product_kind = 'edition' AND {{jde_database}}
                THEN 'Enterprise Edition on a JD Edwards database without an entitlement line: Technology Foundation '
                     || 'includes Standard Edition only, for restricted use; verify a full-use licence'
            WHEN v.product_kind = 'edition' AND NOT ent.entitled
                THEN v.product || ' without an active entitlement line: verify the licence'
            WHEN v.used AND v.product_kind = 'other'
                THEN 'not a database option (hardware, storage or a separate product): informational'
            WHEN v.used AND p.edition LIKE 'Standard Edition%'
                THEN 'an Enterprise Edition ' || v.product_kind || ' used on ' || p.edition
                     || ': it cannot be licensed there; find and stop the usage'
            WHEN v.used AND ent.entitled IS NULL
                THEN 'used: covered by a licence of either product it names; verify one is held'
            WHEN v.used AND {{jde_database}} AND ent.entitled
                THEN 'used on a JD Edwards database and entitled: check the line is a full-use licence '
                     || '(Technology Foundation covers no Enterprise Edition option or pack)'
            WHEN v.used AND {{jde_database}}
                THEN 'used on a JD Edwards database without an entitlement line: Technology Foundation covers no '
                     || 'Enterprise Edition option or pack; verify entitlement'
            WHEN v.used AND NOT ent.entitled THEN 'used without an active entitlement line: verify entitlement'
            WHEN v.evidence LIKE '%allows the pack%' AND NOT coalesce(ent.entitled, false)
                THEN 'no usage recorded, but the parameter allows the pack: set control_management_pack_access to '
                     || CASE WHEN v.product = 'Tuning Pack' THEN 'DIAGNOSTIC or NONE' ELSE 'NONE' END
                     || ' unless the pack is licensed'
        END AS finding
) x;
