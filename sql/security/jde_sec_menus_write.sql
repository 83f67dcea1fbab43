DELETE FROM {{schema}}.jde_sec_menus WHERE apps_id = {{apps_id}};
-- count: jde_sec_menus
INSERT INTO {{schema}}.jde_sec_menus (apps_id, task_view, task_id, role_id, object_name, form_name, version,
                                      enabled, decided_level, decided_by, refreshed_at, run_id)
SELECT {{apps_id}}, m.task_view, m.task_id, b.subject, m.o, m.f, m.v,
       coalesce(r.can_run, true),
       CASE WHEN b.okey IS NULL THEN 'DEFAULT'
            WHEN b.okey / 1000000000000000 = 999 THEN 'PUBLIC' ELSE 'ROLE' END,
       r.principal, now(), {{run_id}}
FROM menu_task m
JOIN sec_best b ON b.o = m.o AND b.f = m.f AND b.v = m.v
LEFT JOIN sec_rec r ON r.rec_id = b.okey % 10000000000000;
