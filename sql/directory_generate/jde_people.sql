-- The people of the synthetic Active Directory (demo/directory_generator.py), one row each, in
-- output order: every JDE user profile (F0092 without the '*ROLE' profiles) with its sign-on status
-- (F98OWSEC), name, business unit and department code (F0101), first e-mail (F01151: the entity's
-- own line, lowest line number), employee record (F060116) and last sign-on (F9312 event 01); then
-- the employees (F0101 search type E) who have no user profile. Streamed by the caller.
WITH mail AS (
    SELECT DISTINCT ON (eaan8) eaan8, trim(eaemal) AS email
    FROM {{data}}.f01151
    WHERE eaidln = 0 AND trim(eaetp) = 'E' AND trim(eaemal) <> ''
    ORDER BY eaan8, earck7
), signon AS (
    SELECT trim(shuser) AS shuser, max(shupmj) AS last_signon
    FROM {{system}}.f9312
    WHERE trim(shevtyp) = '01'
    GROUP BY trim(shuser)
), person AS (
    SELECT aban8, trim(abalph) AS alph, trim(abac02) AS dept, trim(abmcu) AS mcu, trim(abat1) AS at1, abupmj
    FROM {{data}}.f0101
)
SELECT 1 AS kind, trim(u.uluser) AS user_id, u.ulan8 AS an8, u.ulupmj AS created,
       trim(s.sceuser) AS sceuser, s.scseclst AS pwd_changed, p.alph, p.dept, p.mcu, p.at1, m.email,
       trim(e.yapast) AS pay_status, e.yadt AS terminated, trim(e.yajbcd) AS job, l.last_signon
FROM {{system}}.f0092 u
LEFT JOIN {{system}}.f98owsec s ON s.scuser = u.uluser
LEFT JOIN person p ON p.aban8 = u.ulan8
LEFT JOIN mail m ON m.eaan8 = u.ulan8
LEFT JOIN {{data}}.f060116 e ON e.yaan8 = u.ulan8
LEFT JOIN signon l ON l.shuser = trim(u.uluser)
WHERE trim(u.ulugrp) <> '*ROLE'
UNION ALL
SELECT 2, NULL, p.aban8, p.abupmj, NULL, NULL, p.alph, p.dept, p.mcu, p.at1, m.email,
       trim(e.yapast), e.yadt, trim(e.yajbcd), NULL
FROM person p
LEFT JOIN mail m ON m.eaan8 = p.aban8
LEFT JOIN {{data}}.f060116 e ON e.yaan8 = p.aban8
WHERE p.at1 = 'E' AND NOT EXISTS (SELECT 1 FROM {{system}}.f0092 u WHERE u.ulan8 = p.aban8)
ORDER BY kind, user_id, an8
