-- Final rights of {{subject_type}} subjects: application decision (staged) + action decision
-- (sec_best), each with the record that decided it (rule 7). Order key -> rank -> level:
-- 0 USER, 999 PUBLIC, else ROLE; no record -> DEFAULT (allowed).
DELETE FROM {{schema}}.{{table}} WHERE apps_id = {{apps_id}};
-- count: rights
INSERT INTO {{schema}}.{{table}} (
    apps_id, {{subject_column}}, object_name, form_name, version,
    can_run, can_add, can_change, can_delete, can_ok, can_copy, can_scroll,
    decided_level, decided_by, decided_object, decided_form, decided_version,
    action_decided_level, action_decided_by, action_decided_object, action_decided_form, action_decided_version,
    {{extra_columns}} refreshed_at, run_id)
SELECT {{apps_id}}, k.subject, k.o, k.f, k.v,
       coalesce(ra.can_run, true),
       coalesce(rb.can_add, true), coalesce(rb.can_change, true), coalesce(rb.can_delete, true),
       coalesce(rb.can_ok, true), coalesce(rb.can_copy, true), coalesce(rb.can_scroll, true),
       CASE WHEN k.app_okey IS NULL THEN 'DEFAULT'
            WHEN k.app_okey / 1000000000000000 = 0 THEN 'USER'
            WHEN k.app_okey / 1000000000000000 = 999 THEN 'PUBLIC'
            ELSE 'ROLE' END,
       ra.principal, ra.o, ra.f, ra.v,
       CASE WHEN b.okey IS NULL THEN 'DEFAULT'
            WHEN b.okey / 1000000000000000 = 0 THEN 'USER'
            WHEN b.okey / 1000000000000000 = 999 THEN 'PUBLIC'
            ELSE 'ROLE' END,
       rb.principal, rb.o, rb.f, rb.v,
       {{extra_values}} now(), {{run_id}}
FROM sec_key k
JOIN sec_best b ON b.subject = k.subject AND b.o = k.o AND b.f = k.f AND b.v = k.v
LEFT JOIN sec_rec ra ON ra.rec_id = k.app_okey % 10000000000000
LEFT JOIN sec_rec rb ON rb.rec_id = b.okey % 10000000000000;
-- the stage stays until the next application step: a cleared action step can run again
