-- Menu paths each role (and *PUBLIC) may launch: security_menus joined with the menu
-- filtering of jde_sec_menus (enabled tasks only).
DELETE FROM {{schema}}.security_rights_menus WHERE apps_id = {{apps_id}};
-- count: security_rights_menus
INSERT INTO {{schema}}.security_rights_menus (apps_id, role_id, task_view, path, task_id, object_name, form_name,
                                              version, refreshed_at, run_id)
SELECT {{apps_id}}, s.role_id, m.task_view, m.path, m.task_id, s.object_name, s.form_name, s.version, now(), {{run_id}}
FROM {{schema}}.security_menus m
JOIN {{schema}}.jde_sec_menus s ON s.apps_id = m.apps_id AND s.task_view = m.task_view AND s.task_id = m.task_id
WHERE m.apps_id = {{apps_id}} AND s.enabled;
