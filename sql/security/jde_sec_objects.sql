-- JDE_SEC_OBJECTS: every security workbench record (F00950, temp table src_f00950), all security
-- types. security_type is the meaning of FSSETY in the application's code map (token
-- type_codes, a JSON object code -> meaning); a code missing from the map reads 'unknown:<code>'.
-- record_no numbers the records in the order of their trimmed key columns, then of every other
-- column (byte order, so the numbering does not depend on the server's collation): the same
-- source gives the same numbers. Flags, compared trimmed and upper-cased with the application's
-- security_flag_values (tokens flag_allowed, flag_secured): allowed (default Y, 1) = true, secured
-- (default N, 0) = false, not applicable (blank) and unknown codes = null (the step counts and
-- reports the unknown ones).
DELETE FROM {{schema}}.jde_sec_objects WHERE apps_id = {{apps_id}};

-- count: jde_sec_objects
INSERT INTO {{schema}}.jde_sec_objects
    (apps_id, record_no, type_code, security_type, principal, object_name, form_name, version,
     system_code, data_item, from_value, thru_value,
     can_run, can_view, can_add, can_change, can_delete, can_ok, can_copy, can_scroll,
     updated_by, updated_date, run_id)
SELECT {{apps_id}},
       row_number() OVER (
           ORDER BY t.principal COLLATE "C", t.object_name COLLATE "C", t.form_name COLLATE "C",
                    t.version COLLATE "C", t.type_code COLLATE "C",
                    t.data_item COLLATE "C" NULLS FIRST, t.from_value COLLATE "C" NULLS FIRST,
                    t.thru_value COLLATE "C" NULLS FIRST, t.flags COLLATE "C",
                    t.system_code COLLATE "C" NULLS FIRST, t.updated_by COLLATE "C" NULLS FIRST,
                    t.updated_date NULLS FIRST),
       t.type_code,
       coalesce({{type_codes}}::jsonb ->> t.type_code, 'unknown:' || t.type_code),
       t.principal, t.object_name, t.form_name, t.version,
       t.system_code, t.data_item, t.from_value, t.thru_value,
       t.can_run, t.can_view, t.can_add, t.can_change, t.can_delete, t.can_ok, t.can_copy, t.can_scroll,
       t.updated_by, t.updated_date, {{run_id}}
FROM (
    SELECT pg_temp.jde_str(principal) AS principal,
           pg_temp.jde_str(object_name) AS object_name,
           pg_temp.jde_str(form_name) AS form_name,
           pg_temp.jde_str(version) AS version,
           pg_temp.jde_str(type_code) AS type_code,
           nullif(btrim(system_code), '') AS system_code,
           nullif(btrim(data_item), '') AS data_item,
           nullif(btrim(from_value), '') AS from_value,
           nullif(btrim(thru_value), '') AS thru_value,
           CASE WHEN upper(btrim(can_run)) IN {{flag_allowed}} THEN true
                WHEN upper(btrim(can_run)) IN {{flag_secured}} THEN false END AS can_run,
           CASE WHEN upper(btrim(can_view)) IN {{flag_allowed}} THEN true
                WHEN upper(btrim(can_view)) IN {{flag_secured}} THEN false END AS can_view,
           CASE WHEN upper(btrim(can_add)) IN {{flag_allowed}} THEN true
                WHEN upper(btrim(can_add)) IN {{flag_secured}} THEN false END AS can_add,
           CASE WHEN upper(btrim(can_change)) IN {{flag_allowed}} THEN true
                WHEN upper(btrim(can_change)) IN {{flag_secured}} THEN false END AS can_change,
           CASE WHEN upper(btrim(can_delete)) IN {{flag_allowed}} THEN true
                WHEN upper(btrim(can_delete)) IN {{flag_secured}} THEN false END AS can_delete,
           CASE WHEN upper(btrim(can_ok)) IN {{flag_allowed}} THEN true
                WHEN upper(btrim(can_ok)) IN {{flag_secured}} THEN false END AS can_ok,
           CASE WHEN upper(btrim(can_copy)) IN {{flag_allowed}} THEN true
                WHEN upper(btrim(can_copy)) IN {{flag_secured}} THEN false END AS can_copy,
           CASE WHEN upper(btrim(can_scroll)) IN {{flag_allowed}} THEN true
                WHEN upper(btrim(can_scroll)) IN {{flag_secured}} THEN false END AS can_scroll,
           concat_ws('|', upper(btrim(can_run)), upper(btrim(can_view)), upper(btrim(can_add)),
                     upper(btrim(can_change)), upper(btrim(can_delete)), upper(btrim(can_ok)),
                     upper(btrim(can_copy)), upper(btrim(can_scroll))) AS flags,
           nullif(btrim(updated_by), '') AS updated_by,
           pg_temp.jde_date(updated_date) AS updated_date
    FROM src_f00950
) AS t;
