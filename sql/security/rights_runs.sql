-- security_rights_runs: the settings this run's rights were computed with (as-of date, role
-- sequence direction, sign-in mode, FSSETY code map), plus the row count a step records in its
-- own column (count_column / count_value / count_update: empty when the step records none).
-- A re-run of the same run updates its row.
INSERT INTO {{schema}}.security_rights_runs AS r (apps_id, run_id, as_of_date,
        role_sequence_direction, signin_mode, security_type_codes{{count_column}})
VALUES ({{apps_id}}, {{run_id}}, {{as_of}}, {{direction}}, {{signin}}, {{codes}}::jsonb{{count_value}})
ON CONFLICT (apps_id, run_id) DO UPDATE SET as_of_date = EXCLUDED.as_of_date,
    role_sequence_direction = EXCLUDED.role_sequence_direction,
    signin_mode = EXCLUDED.signin_mode, security_type_codes = EXCLUDED.security_type_codes,
    computed_at = now(){{count_update}};
