-- JDE_TASKS: the task master (F9000, temp table src_f9000). Task ids trimmed (blank ids
-- skipped); name, type, object, form and version null when blank (folders launch nothing).
-- A duplicated task id keeps its first row in a fixed order.
DELETE FROM {{schema}}.jde_tasks WHERE apps_id = {{apps_id}};

-- count: jde_tasks
INSERT INTO {{schema}}.jde_tasks
    (apps_id, task_id, task_name, task_type, object_name, form_name, version, run_id)
SELECT {{apps_id}}, t.task_id, t.task_name, t.task_type, t.object_name, t.form_name, t.version, {{run_id}}
FROM (
    SELECT DISTINCT ON (x.task_id) x.*
    FROM (
        SELECT btrim(task_id) AS task_id,
               nullif(btrim(task_name), '') AS task_name,
               nullif(btrim(task_type), '') AS task_type,
               nullif(btrim(object_name), '') AS object_name,
               nullif(btrim(form_name), '') AS form_name,
               nullif(btrim(version), '') AS version
        FROM src_f9000
    ) AS x
    WHERE x.task_id <> ''
    ORDER BY x.task_id, x.task_name COLLATE "C" NULLS LAST, x.task_type COLLATE "C" NULLS LAST,
             x.object_name COLLATE "C" NULLS LAST, x.form_name COLLATE "C" NULLS LAST,
             x.version COLLATE "C" NULLS LAST
) AS t;
