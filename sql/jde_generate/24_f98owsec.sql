-- F98OWSEC sign-on security: one record per user (fixture NOSIGNON has none); '01' enabled,
-- '02' disabled; SCSECLST = last password change, SCSECFRQ = change frequency in days.
INSERT INTO {{system}}.f98owsec (scuser, scsecusr, sceuser, scseclst, scsecfrq, scattempts,
                                 scmuse, scpid, scjobn, scupmj, scupmt)
SELECT id, 'JDE', sceuser, pg_temp.ja(seclst), secfrq, 5,
       CASE WHEN id = 'JDE' THEN 'JDE' ELSE 'ADMIN1' END, 'P98OWSEC', 'WEBSRV01', pg_temp.ja(seclst), 80000
FROM tmp_fx_user
WHERE sceuser IS NOT NULL
UNION ALL
SELECT id, 'JDE', CASE WHEN enabled THEN '01' ELSE '02' END,
       pg_temp.ja(greatest(created, -pg_temp.ri(u, 501, 0, 500))),
       (ARRAY[0, 30, 60, 90, 90, 90, 180])[1 + pg_temp.ri(u, 502, 0, 6)],
       (ARRAY[3, 5, 5, 10])[1 + pg_temp.ri(u, 503, 0, 3)],
       'ADMIN1', 'P98OWSEC', 'WEBSRV01', pg_temp.ja(greatest(created, -pg_temp.ri(u, 501, 0, 500))),
       pg_temp.hms(u, 504, 7, 19)
FROM tmp_user;
