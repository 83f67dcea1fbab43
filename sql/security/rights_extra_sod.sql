-- Every subject gets a right for every object bound to an SoD activity, so the SoD engine always
-- finds one (a key already among the menu keys is merged by the aggregation).
INSERT INTO sec_extra (subject, o, f, v)
SELECT s.subject, o.object_name, o.form_name, o.version
FROM (SELECT DISTINCT subject FROM sec_level) AS s
CROSS JOIN (SELECT DISTINCT object_name, form_name, version FROM {{schema}}.sod_objects
            WHERE apps_id = {{apps_id}}
              AND btrim(object_name) <> '' AND btrim(object_name) !~ '^#+$') AS o;  -- not the '######' to-be-defined bindings
