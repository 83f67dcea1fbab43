-- Application-security decisions of {{subject_type}} subjects, kept until the action step of the
-- same run writes the final rights table (both kinds in one transaction, so readers never see
-- run flags of one run next to action flags of another).
CREATE UNLOGGED TABLE IF NOT EXISTS {{schema}}.security_rights_stage (
    apps_id      integer NOT NULL,
    subject_type text    NOT NULL,
    subject      text    NOT NULL,
    object_name  text    NOT NULL,
    form_name    text    NOT NULL,
    version      text    NOT NULL,
    app_okey     bigint,
    run_id       text
);
DELETE FROM {{schema}}.security_rights_stage WHERE apps_id = {{apps_id}} AND subject_type = {{subject_type}};
-- count: keys
INSERT INTO {{schema}}.security_rights_stage
SELECT {{apps_id}}, {{subject_type}}, subject, o, f, v, okey, {{run_id}} FROM sec_best;
