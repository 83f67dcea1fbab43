-- Run once by the postgres image on an empty data volume (docker-entrypoint-initdb.d).
-- The Airflow metadata database is POSTGRES_DB (airflow). The nomasx1 and nomajde databases and
-- their login roles are NOT created here: the deploy-databases job creates them from the
-- `nomasx1` and `nomajde` connections, as in a real first deployment (docs/deploy.md).
-- jde_demo receives the synthetic JD Edwards source (`nomasx1 jde generate`).
CREATE DATABASE jde_demo;
