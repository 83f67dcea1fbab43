-- The role-level application decision (the role's record, else *PUBLIC's, else open) for each
-- menu task, with the deciding record: the same order keys as the rights steps. One batch of roles.
-- count: jde_sec_menus
INSERT INTO {{schema}}.jde_sec_menus (apps_id, task_view, task_id, role_id, object_name, form_name, version,
                                      enabled, decided_level, decided_by, refreshed_at, run_id)
SELECT {{apps_id}}, d.task_view, d.task_id, d.subject, d.o, d.f, d.v,
       coalesce(r.can_run, true),
       CASE WHEN d.okey IS NULL THEN 'DEFAULT'
            WHEN d.okey / 1000000000000000 = 999 THEN 'PUBLIC' ELSE 'ROLE' END,
       r.principal, now(), {{run_id}}
FROM (
    SELECT m.task_view, m.task_id, k.subject, m.o, m.f, m.v,
           least(CASE WHEN k.f = '' AND k.v = '' THEN k.app_exact ELSE w.app END, a.app, {{fv_app}}) AS okey
    FROM menu_task m
    JOIN sec_ex k ON k.o = m.o AND k.f = m.f AND k.v = m.v
    LEFT JOIN sec_wide w ON w.subject = k.subject AND w.o = k.o AND w.f = k.f AND w.v = k.v
    LEFT JOIN sec_all a ON a.subject = k.subject
) AS d
LEFT JOIN sec_rec r ON r.rec_id = d.okey % 10000000000000;
