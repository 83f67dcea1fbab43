-- JDE_OBJECTS_VERSIONS: versions of applications and batch programs (F983051, temp table
-- src_f983051). System code and object type come from jde_objects of the same application
-- (run JDE_OBJECTS first); a version of a program unknown to the object librarian keeps nulls.
DELETE FROM {{schema}}.jde_objects_versions WHERE apps_id = {{apps_id}};

-- count: jde_objects_versions
INSERT INTO {{schema}}.jde_objects_versions
    (apps_id, object_name, version, description, system_code, object_type, run_id)
SELECT {{apps_id}}, v.object_name, v.version, v.description, o.system_code, o.object_type, {{run_id}}
FROM (
    SELECT DISTINCT ON (t.object_name, t.version) t.*
    FROM (
        SELECT btrim(object_name) AS object_name,
               btrim(version) AS version,
               nullif(btrim(description), '') AS description
        FROM src_f983051
    ) AS t
    WHERE t.object_name <> '' AND t.version <> ''
    ORDER BY t.object_name, t.version, t.description COLLATE "C" NULLS LAST
) AS v
LEFT JOIN {{schema}}.jde_objects AS o ON o.apps_id = {{apps_id}} AND o.object_name = v.object_name;
