-- The stage of application decisions: kept until the next application step of the same subject
-- type (a cleared action step of the same run can run again).
CREATE UNLOGGED TABLE IF NOT EXISTS {{schema}}.security_rights_stage (
    apps_id      integer NOT NULL,
    subject_type text    NOT NULL,
    subject      text    NOT NULL,
    object_name  text    NOT NULL,
    form_name    text    NOT NULL,
    version      text    NOT NULL,
    app_okey     bigint,
    act_spec     bigint,
    run_id       text
);
DELETE FROM {{schema}}.security_rights_stage WHERE apps_id = {{apps_id}} AND subject_type = {{subject_type}};
