-- Helper functions created in the nomasx1 target session (pg_temp: dropped with the session) for
-- the SQL that reads JDE rows from TEMP tables (raw JDE text, blank padding and all).
-- Loaded by airflow_provider_nomasx1/jde/session_functions.py, which fills the double-brace tokens.

-- Julian CYYDDD -> date and HHMMSS -> time under the one rule of jde/julian.py (blank, 0 and
-- impossible values -> NULL, a time 0 is midnight): the julian_date and hhmmss_time tokens are
-- the expressions generated there for the argument v. One expression each (no FROM, no CTE) so
-- that PostgreSQL inlines them instead of calling a function per row.
CREATE OR REPLACE FUNCTION pg_temp.jde_date(v text) RETURNS date LANGUAGE sql IMMUTABLE AS $$
    SELECT {{julian_date}} $$;

CREATE OR REPLACE FUNCTION pg_temp.jde_time(v text) RETURNS time LANGUAGE sql IMMUTABLE AS $$
    SELECT {{hhmmss_time}} $$;

-- JDE flag: 'Y' -> true, 'N' -> false, anything else (blank: not applicable) -> NULL
CREATE OR REPLACE FUNCTION pg_temp.jde_flag(v text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE upper(btrim(v)) WHEN 'Y' THEN true WHEN 'N' THEN false END $$;

-- blank-padded JDE string -> trimmed text, '' for blank
CREATE OR REPLACE FUNCTION pg_temp.jde_str(v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(btrim(v), '') $$;
