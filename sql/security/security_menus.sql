-- SECURITY_MENUS: each task view of jde_menus flattened from its roots (a root is a parent of the
-- view that is never a child in that view) over jde_tasks (run JDE_TASKS and JDE_MENUS first).
-- One row per path. The root is a row itself (level 0, no parent) and the first id of every
-- path: path = task ids from the root, '.' separated; level 1 = directly under the root.
-- path_labels = the task names from the root (the task id when a task has no name), ' > '
-- separated. A relationship leading back to a task already on the path is a cycle: it is cut
-- (marked cut in menu_walk, not descended into, not written).
DROP TABLE IF EXISTS pg_temp.menu_walk;

CREATE TEMP TABLE menu_walk AS
WITH RECURSIVE rel AS (
    SELECT m.task_view::text AS task_view, m.parent_task_id::text AS parent_task_id,
           m.child_task_id::text AS child_task_id, m.sequence
    FROM {{schema}}.jde_menus AS m
    WHERE m.apps_id = {{apps_id}}
), task AS (
    SELECT t.task_id::text AS task_id, t.task_name::text AS task_name
    FROM {{schema}}.jde_tasks AS t
    WHERE t.apps_id = {{apps_id}}
), root AS (
    SELECT DISTINCT r.task_view, r.parent_task_id AS task_id
    FROM rel AS r
    WHERE NOT EXISTS (
        SELECT 1 FROM rel AS c WHERE c.task_view = r.task_view AND c.child_task_id = r.parent_task_id
    )
), walk AS (
    SELECT root.task_view, root.task_id, NULL::text AS parent_task_id, 0 AS level, NULL::integer AS sequence,
           ARRAY[root.task_id] AS ids, root.task_id AS path,
           coalesce(task.task_name, root.task_id) AS path_labels, false AS cut
    FROM root
    LEFT JOIN task ON task.task_id = root.task_id
    UNION ALL
    SELECT w.task_view, r.child_task_id, w.task_id, w.level + 1, r.sequence,
           w.ids || r.child_task_id, w.path || '.' || r.child_task_id,
           w.path_labels || ' > ' || coalesce(task.task_name, r.child_task_id),
           r.child_task_id = ANY (w.ids)
    FROM walk AS w
    JOIN rel AS r ON r.task_view = w.task_view AND r.parent_task_id = w.task_id
    LEFT JOIN task ON task.task_id = r.child_task_id
    WHERE NOT w.cut
)
SELECT task_view, task_id, parent_task_id, level, sequence, path, path_labels, cut FROM walk;

DELETE FROM {{schema}}.security_menus WHERE apps_id = {{apps_id}};

-- count: security_menus
INSERT INTO {{schema}}.security_menus
    (apps_id, task_view, path, task_id, parent_task_id, label, path_labels, level, sequence,
     task_type, object_name, form_name, version, run_id)
SELECT {{apps_id}}, w.task_view, w.path, w.task_id, w.parent_task_id, t.task_name, w.path_labels,
       w.level, w.sequence, t.task_type, t.object_name, t.form_name, t.version, {{run_id}}
FROM menu_walk AS w
LEFT JOIN {{schema}}.jde_tasks AS t ON t.apps_id = {{apps_id}} AND t.task_id = w.task_id
WHERE NOT w.cut;
