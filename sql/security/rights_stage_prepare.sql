-- The stage of application decisions, keyed by run: every row carries the run that staged it,
-- and the action step of a run reads only its own run's rows. Kept until the next application
-- step of the same subject type (a cleared action step of the same run can run again), which
-- removes its own run's rows and those of runs that no longer hold the job's run lease (finished
-- or dead, docs/operations.md): the rows of a live run are never touched by another run.
CREATE UNLOGGED TABLE IF NOT EXISTS {{schema}}.security_rights_stage (
    apps_id      integer NOT NULL,
    subject_type text    NOT NULL,
    subject      text    NOT NULL,
    object_name  text    NOT NULL,
    form_name    text    NOT NULL,
    version      text    NOT NULL,
    app_okey     bigint,
    act_spec     bigint,
    run_id       text    NOT NULL
);
DELETE FROM {{schema}}.security_rights_stage s
WHERE s.apps_id = {{apps_id}} AND s.subject_type = {{subject_type}}
  AND (s.run_id = {{run_id}} OR NOT EXISTS (
      SELECT 1 FROM {{schema}}.job_run_locks l
      WHERE l.apps_id = s.apps_id AND l.dag_id = {{dag_id}} AND l.run_id = s.run_id));
