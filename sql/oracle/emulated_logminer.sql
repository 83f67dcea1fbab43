-- What the audit trail talks to in Oracle, emulated in PostgreSQL next to the emulated dictionary
-- (emulated_dictionary.sql, same schema): the redo logs (V$LOG, V$LOGFILE, V$ARCHIVED_LOG,
-- V$THREAD), the supplemental log groups, the session's privileges and roles, the DBMS_LOGMNR
-- calls and V$LOGMNR_CONTENTS. The redo itself is the table logmnr_redo, written by the recorder
-- (oracle/logminer_emulation.py) in Oracle's format. Oracle's column names that hold '#' (and
-- TIMESTAMP, ROLLBACK) are created quoted in upper case, which is how the collector spells them,
-- so its SQL is the same text on both.
--
-- A LogMiner session is the connection's: DBMS_LOGMNR.ADD_LOGFILE / START_LOGMNR keep their state
-- in session settings (set_config), as Oracle keeps it in the session, so the miner's read-only
-- connection can mine. Executed whole (it holds function bodies); token: schema (quoted).
CREATE TABLE {{schema}}."v$log" (
    "GROUP#" numeric, "THREAD#" numeric, "SEQUENCE#" numeric, bytes numeric, members numeric,
    archived varchar(3), status varchar(16), "FIRST_CHANGE#" numeric, first_time timestamp(0),
    "NEXT_CHANGE#" numeric, next_time timestamp(0), con_id numeric);
CREATE TABLE {{schema}}."v$logfile" (
    "GROUP#" numeric, status varchar(7), type varchar(7), member varchar, is_recovery_dest_file varchar(3),
    con_id numeric);
CREATE TABLE {{schema}}."v$archived_log" (
    recid numeric, name varchar, dest_id numeric, "THREAD#" numeric, "SEQUENCE#" numeric,
    "RESETLOGS_CHANGE#" numeric, resetlogs_time timestamp(0), "FIRST_CHANGE#" numeric, first_time timestamp(0),
    "NEXT_CHANGE#" numeric, next_time timestamp(0), blocks numeric, block_size numeric, archived varchar(3),
    applied varchar(9), deleted varchar(3), status varchar(1), standby_dest varchar(3), con_id numeric);
CREATE TABLE {{schema}}."v$thread" (
    "THREAD#" numeric, status varchar(6), enabled varchar(8), instance varchar, "SEQUENCE#" numeric,
    "CHECKPOINT_CHANGE#" numeric, "LAST_REDO_SEQUENCE#" numeric, "LAST_REDO_CHANGE#" numeric,
    last_redo_time timestamp(0), con_id numeric);
CREATE TABLE {{schema}}.dba_log_groups (
    owner varchar, log_group_name varchar, table_name varchar, log_group_type varchar(19), always varchar(11),
    generated varchar(14));
CREATE TABLE {{schema}}.session_privs (privilege varchar);
CREATE TABLE {{schema}}.session_roles (role varchar);

-- the redo records the recorder wrote; V$LOGMNR_CONTENTS shows those of the session's logs and range
CREATE TABLE {{schema}}.logmnr_redo (
    scn numeric NOT NULL, start_scn numeric, commit_scn numeric, "TIMESTAMP" timestamp(0),
    xidusn numeric, xidslt numeric, xidsqn numeric, xid bytea, "THREAD#" numeric, "SEQUENCE#" numeric,
    rs_id varchar(32), ssn numeric, csf numeric, operation varchar(32), operation_code numeric,
    "ROLLBACK" numeric, seg_owner varchar, seg_name varchar, table_name varchar, seg_type_name varchar,
    row_id varchar(18), username varchar, os_username varchar, machine_name varchar, session_info varchar,
    sql_redo varchar(4000), sql_undo varchar(4000), status numeric, info varchar, src_con_name varchar,
    recorded_order bigserial);
CREATE INDEX ON {{schema}}.logmnr_redo (scn);

-- RAWTOHEX(XID): the same text on both (XID is RAW(8) in Oracle)
CREATE FUNCTION {{schema}}.rawtohex(value bytea) RETURNS varchar LANGUAGE sql IMMUTABLE
    AS $$ SELECT upper(encode(value, 'hex')) $$;

-- DBMS_LOGMNR.ADD_LOGFILE: OPTIONS 1 (NEW) starts the list, 3 (ADDFILE) adds to it
CREATE FUNCTION {{schema}}.dbms_logmnr_add_logfile(logfilename varchar, options numeric DEFAULT 3)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    log_id varchar;
    listed varchar := coalesce(nullif(current_setting('nomasx1_logmnr.logs', true), ''), '');
BEGIN
    SELECT a."THREAD#" || ':' || a."SEQUENCE#" INTO log_id FROM {{schema}}."v$archived_log" a
        WHERE a.name = logfilename AND a.status = 'A' AND a.deleted = 'NO';
    IF log_id IS NULL THEN
        SELECT l."THREAD#" || ':' || l."SEQUENCE#" INTO log_id FROM {{schema}}."v$log" l JOIN {{schema}}."v$logfile" f USING ("GROUP#")
            WHERE f.member = logfilename AND l.status IN ('CURRENT', 'ACTIVE', 'INACTIVE');
    END IF;
    IF log_id IS NULL THEN
        RAISE EXCEPTION 'ORA-01284: file % cannot be opened', logfilename;
    END IF;
    IF options = 1 OR listed = '' THEN
        listed := log_id;
    ELSE
        listed := listed || ',' || log_id;
    END IF;
    PERFORM set_config('nomasx1_logmnr.logs', listed, false);
END $$;

-- DBMS_LOGMNR.START_LOGMNR(STARTSCN, ENDSCN, OPTIONS): the range, checked against the logs added
CREATE FUNCTION {{schema}}.dbms_logmnr_start_logmnr(startscn numeric, endscn numeric, options numeric DEFAULT 0)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    listed varchar := coalesce(current_setting('nomasx1_logmnr.logs', true), '');
    lowest numeric;
BEGIN
    IF listed = '' THEN
        RAISE EXCEPTION 'ORA-01292: no log file has been specified for the current LogMiner session';
    END IF;
    IF endscn <= startscn THEN
        RAISE EXCEPTION 'ORA-01281: SCN range specified is invalid';
    END IF;
    SELECT min(f) INTO lowest FROM (
        SELECT a."FIRST_CHANGE#" AS f FROM {{schema}}."v$archived_log" a
            WHERE a."THREAD#" || ':' || a."SEQUENCE#" = ANY (string_to_array(listed, ',')) AND a.deleted = 'NO'
        UNION ALL
        SELECT l."FIRST_CHANGE#" FROM {{schema}}."v$log" l WHERE l."THREAD#" || ':' || l."SEQUENCE#" = ANY (string_to_array(listed, ','))
    ) logs;
    IF lowest IS NULL OR startscn < lowest THEN
        RAISE EXCEPTION 'ORA-01291: missing logfile (no log added holds SCN %)', startscn;
    END IF;
    PERFORM set_config('nomasx1_logmnr.start_scn', startscn::text, false);
    PERFORM set_config('nomasx1_logmnr.end_scn', endscn::text, false);
END $$;

-- DBMS_LOGMNR.END_LOGMNR
CREATE FUNCTION {{schema}}.dbms_logmnr_end_logmnr() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('nomasx1_logmnr.start_scn', true), '') = ''
       AND coalesce(current_setting('nomasx1_logmnr.logs', true), '') = '' THEN
        RAISE EXCEPTION 'ORA-01307: no LogMiner session is currently active';
    END IF;
    PERFORM set_config('nomasx1_logmnr.start_scn', '', false);
    PERFORM set_config('nomasx1_logmnr.end_scn', '', false);
    PERFORM set_config('nomasx1_logmnr.logs', '', false);
END $$;

CREATE FUNCTION {{schema}}.logmnr_session_started() RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF coalesce(current_setting('nomasx1_logmnr.start_scn', true), '') = '' THEN
        RAISE EXCEPTION 'ORA-01306: dbms_logmnr.start_logmnr() must be invoked before selecting from v$logmnr_contents';
    END IF;
    RETURN true;
END $$;

CREATE VIEW {{schema}}."v$logmnr_contents" AS
    SELECT r.* FROM {{schema}}.logmnr_redo r
    WHERE (SELECT {{schema}}.logmnr_session_started())
      AND r.scn >= current_setting('nomasx1_logmnr.start_scn', true)::numeric
      AND r.scn <= current_setting('nomasx1_logmnr.end_scn', true)::numeric
      AND r."THREAD#" || ':' || r."SEQUENCE#" = ANY (string_to_array(current_setting('nomasx1_logmnr.logs', true), ','));
