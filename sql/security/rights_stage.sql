-- Application security of {{subject_type}} subjects (rules 4-6), one batch: the best specific
-- record (exact or wide) against the first *ALL record, by order key. Staged with the best
-- specific action record, which the action step of the same run completes with *ALL.
-- count: keys
INSERT INTO {{schema}}.security_rights_stage
    (apps_id, subject_type, subject, object_name, form_name, version, app_okey, act_spec, run_id)
SELECT {{apps_id}}, {{subject_type}}, k.subject, k.o, k.f, k.v,
       least(CASE WHEN k.f = '' AND k.v = '' THEN k.app_exact ELSE w.app END, a.app, {{fv_app}}),
       CASE WHEN k.f = '' AND k.v = '' THEN k.act_exact ELSE w.act END,
       {{run_id}}
FROM sec_ex k
LEFT JOIN sec_wide w ON w.subject = k.subject AND w.o = k.o AND w.f = k.f AND w.v = k.v
LEFT JOIN sec_all a ON a.subject = k.subject;
