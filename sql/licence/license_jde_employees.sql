-- LICENSE_JDE_EMPLOYEES: the dated snapshot of the people behind JDE for the extract date
-- {{as_of}} (one snapshot per extract date: a re-run replaces it, earlier snapshots stay).
-- Inputs (raw text): src_hr (F060116 employee master), src_people (F0101 records that are
-- employees by search type, or linked to an F0092 profile, or in F060116), src_types (UDC 01/ST).
-- Tokens: search_type_employee (the application's employee search types, default ('E')).
--
-- Rules (docs/license.md, "nomasx1-employees-1"):
-- * the people: every F060116 record, and every F0101 record read (see the inputs);
-- * internal: the F0101 search type is an employee search type; a person with an HR record but no
--   address-book record is internal (F060116 holds employees); everyone else is external;
-- * terminated: a termination date (F060116 YADT, 0 = none) on or before the extract date. A
--   terminated employee is kept, marked;
-- * not yet employed on the extract date (start date after it: a past extract date, a future hire)
--   is left out of that snapshot and counted (tmp_employee_counts.not_started);
-- * jde_users: the accounts of security_users linked through their address number (0 when the
--   security job has not run).
CREATE TEMP TABLE tmp_hr ON COMMIT DROP AS
SELECT DISTINCT ON (an8) an8, pay_status, company, start_date, termination_date
FROM (
    SELECT nullif(pg_temp.jde_str(address_number), '')::numeric::bigint AS an8,
           nullif(pg_temp.jde_str(pay_status), '') AS pay_status,
           nullif(pg_temp.jde_str(company), '') AS company,
           pg_temp.jde_date(start_date) AS start_date,
           pg_temp.jde_date(termination_date) AS termination_date
    FROM src_hr
) AS h
WHERE an8 IS NOT NULL AND an8 <> 0
ORDER BY an8, termination_date NULLS FIRST;

CREATE TEMP TABLE tmp_people ON COMMIT DROP AS
SELECT DISTINCT ON (an8) an8, name, search_type
FROM (
    SELECT nullif(pg_temp.jde_str(address_number), '')::numeric::bigint AS an8,
           nullif(pg_temp.jde_str(name), '') AS name,
           nullif(upper(pg_temp.jde_str(search_type)), '') AS search_type
    FROM src_people
) AS p
WHERE an8 IS NOT NULL AND an8 <> 0
ORDER BY an8, name NULLS LAST;

CREATE TEMP TABLE tmp_types ON COMMIT DROP AS
SELECT DISTINCT ON (upper(pg_temp.jde_str(code))) upper(pg_temp.jde_str(code)) AS code,
       nullif(pg_temp.jde_str(description), '') AS description
FROM src_types
ORDER BY upper(pg_temp.jde_str(code)), description;

CREATE TEMP TABLE tmp_linked ON COMMIT DROP AS
SELECT address_number AS an8, count(*)::int AS accounts
FROM {{schema}}.security_users
WHERE apps_id = {{apps_id}} AND address_number IS NOT NULL AND address_number <> 0
GROUP BY address_number;

CREATE TEMP TABLE tmp_employees ON COMMIT DROP AS
SELECT coalesce(h.an8, p.an8) AS an8, p.name, p.search_type, t.description AS search_type_description,
       CASE WHEN p.an8 IS NULL THEN true ELSE coalesce(p.search_type IN {{search_type_employee}}, false) END AS internal,
       h.an8 IS NOT NULL AS in_hr_master, h.pay_status, h.company, h.start_date, h.termination_date,
       coalesce(h.termination_date <= {{as_of}}, false) AS terminated,
       coalesce(l.accounts, 0) AS jde_users
FROM tmp_hr AS h
FULL JOIN tmp_people AS p ON p.an8 = h.an8
LEFT JOIN tmp_types AS t ON t.code = p.search_type
LEFT JOIN tmp_linked AS l ON l.an8 = coalesce(h.an8, p.an8);

-- the snapshot's head-count, for the step's log and details
CREATE TEMP TABLE tmp_employee_counts ON COMMIT DROP AS
SELECT count(*) FILTER (WHERE in_snapshot AND internal) AS internal,
       count(*) FILTER (WHERE in_snapshot AND NOT internal) AS external,
       count(*) FILTER (WHERE in_snapshot AND terminated) AS terminated,
       count(*) FILTER (WHERE in_snapshot AND jde_users > 0) AS with_account,
       count(*) FILTER (WHERE NOT in_snapshot) AS not_started,
       count(*) FILTER (WHERE in_snapshot AND search_type IS NOT NULL AND search_type_description IS NULL)
           AS undescribed_types
FROM (SELECT *, start_date IS NULL OR start_date <= {{as_of}} AS in_snapshot FROM tmp_employees) AS e;

DELETE FROM {{schema}}.license_jde_employees WHERE apps_id = {{apps_id}} AND extract_date = {{as_of}};

-- count: license_jde_employees
INSERT INTO {{schema}}.license_jde_employees (
    apps_id, extract_date, address_number, name, search_type, search_type_description, internal,
    in_hr_master, pay_status, company, start_date, termination_date, terminated, jde_users, run_id)
SELECT {{apps_id}}, {{as_of}}, an8, name, search_type, search_type_description, internal, in_hr_master,
       pay_status, company, start_date, termination_date, terminated, jde_users, {{run_id}}
FROM tmp_employees
WHERE start_date IS NULL OR start_date <= {{as_of}};
