-- Final rights of {{subject_type}} subjects: the staged application decision, and the action
-- decision (rules 4-6): the staged best specific action record against the first *ALL action
-- record. Each keeps the record that decided it (rule 7). Order key -> rank -> level: 0 USER,
-- 999 PUBLIC, else ROLE; no record -> DEFAULT (allowed). {{target}}: the table (roles, after a
-- DELETE of the application's rows) or the new partition being built (users).
-- count: rights
INSERT INTO {{target}} (
    apps_id, {{subject_column}}, object_name, form_name, version,
    can_run, can_add, can_change, can_delete, can_ok, can_copy, can_scroll,
    decided_level, decided_by, decided_object, decided_form, decided_version,
    action_decided_level, action_decided_by, action_decided_object, action_decided_form, action_decided_version,
    {{extra_columns}} refreshed_at, run_id)
SELECT {{apps_id}}, k.subject, k.object_name, k.form_name, k.version,
       coalesce(ra.can_run, true),
       coalesce(rb.can_add, true), coalesce(rb.can_change, true), coalesce(rb.can_delete, true),
       coalesce(rb.can_ok, true), coalesce(rb.can_copy, true), coalesce(rb.can_scroll, true),
       CASE WHEN k.app_okey IS NULL THEN 'DEFAULT'
            WHEN k.app_okey / 1000000000000000 = 0 THEN 'USER'
            WHEN k.app_okey / 1000000000000000 = 999 THEN 'PUBLIC'
            ELSE 'ROLE' END,
       ra.principal, ra.o, ra.f, ra.v,
       CASE WHEN k.act_okey IS NULL THEN 'DEFAULT'
            WHEN k.act_okey / 1000000000000000 = 0 THEN 'USER'
            WHEN k.act_okey / 1000000000000000 = 999 THEN 'PUBLIC'
            ELSE 'ROLE' END,
       rb.principal, rb.o, rb.f, rb.v,
       {{extra_values}} now(), {{run_id}}
FROM (
    SELECT s.subject, s.object_name, s.form_name, s.version, s.app_okey,
           least(s.act_spec, a.act, {{fv_act}}) AS act_okey
    FROM {{schema}}.security_rights_stage s
    LEFT JOIN sec_all a ON a.subject = s.subject
    WHERE s.apps_id = {{apps_id}} AND s.subject_type = {{subject_type}} AND s.run_id = {{run_id}}
) AS k
LEFT JOIN sec_rec ra ON ra.rec_id = k.app_okey % 10000000000000
LEFT JOIN sec_rec rb ON rb.rec_id = k.act_okey % 10000000000000;
