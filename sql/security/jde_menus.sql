-- JDE_MENUS: task relationships (F9001, temp table src_f9001) of the task views listed in the
-- application's settings (token task_views: a SQL list of trimmed view ids). Ids trimmed, blank
-- ones skipped; sequence (TRPRSSEQ) as an integer. F9001 may hold one relationship several
-- times (e.g. per release range): the lowest sequence is kept.
DELETE FROM {{schema}}.jde_menus WHERE apps_id = {{apps_id}};

-- count: jde_menus
INSERT INTO {{schema}}.jde_menus (apps_id, task_view, parent_task_id, child_task_id, sequence, run_id)
SELECT {{apps_id}}, r.task_view, r.parent_task_id, r.child_task_id, r.sequence, {{run_id}}
FROM (
    SELECT DISTINCT ON (x.task_view, x.parent_task_id, x.child_task_id) x.*
    FROM (
        SELECT btrim(task_view) AS task_view,
               btrim(parent_task_id) AS parent_task_id,
               btrim(child_task_id) AS child_task_id,
               round(nullif(btrim(sequence), '')::numeric)::integer AS sequence
        FROM src_f9001
    ) AS x
    WHERE x.task_view IN {{task_views}} AND x.parent_task_id <> '' AND x.child_task_id <> ''
    ORDER BY x.task_view, x.parent_task_id, x.child_task_id, x.sequence NULLS LAST
) AS r;
