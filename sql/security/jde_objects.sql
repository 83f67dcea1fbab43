-- JDE_OBJECTS: the object librarian (F9860, read into temp table src_f9860) with the system-code
-- reclassification of settings_jde_rclst applied: an object listed there counts under the listed
-- system code (reclassified = true), any other object under its own SISY. Blank object names
-- are skipped; a duplicated object name (F9860 is keyed by SIOBNM, so only a damaged source
-- has one) keeps its first row in a fixed order.
DELETE FROM {{schema}}.jde_objects WHERE apps_id = {{apps_id}};

-- count: jde_objects
INSERT INTO {{schema}}.jde_objects
    (apps_id, object_name, description, system_code, source_system_code, object_type, reclassified, run_id)
SELECT {{apps_id}}, o.object_name, o.description,
       CASE WHEN r.object_name IS NOT NULL THEN btrim(r.system_code) ELSE o.source_system_code END,
       o.source_system_code, o.object_type, r.object_name IS NOT NULL, {{run_id}}
FROM (
    SELECT DISTINCT ON (t.object_name) t.*
    FROM (
        SELECT btrim(object_name) AS object_name,
               nullif(btrim(description), '') AS description,
               nullif(btrim(system_code), '') AS source_system_code,
               nullif(btrim(object_type), '') AS object_type
        FROM src_f9860
    ) AS t
    WHERE t.object_name <> ''
    ORDER BY t.object_name, t.object_type COLLATE "C" NULLS LAST,
             t.source_system_code COLLATE "C" NULLS LAST, t.description COLLATE "C" NULLS LAST
) AS o
LEFT JOIN {{schema}}.settings_jde_rclst AS r ON btrim(r.object_name) = o.object_name;
