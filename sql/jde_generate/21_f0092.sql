-- F0092 user and role profiles: fixtures, then generated users and roles.
-- Roles carry ULAN8 = 0 and ULUGRP = '*ROLE'; users carry their address number.
INSERT INTO {{system}}.f0092 (uluser, ulan8, ulugrp, ulll, ulfstp, ullngp, ulfrmt, ulctr,
                              ulmuse, ulpid, uljobn, ulupmj, ulupmt)
SELECT id, 0, '*ROLE', 'JPD920', 'Y', ' ', 'MDE', ' ', 'JDE', 'P0092', 'WEBSRV01', pg_temp.ja(-2400), 101500
FROM tmp_fx_role
UNION ALL
SELECT id, an8, ' ', 'JPD920', 'Y', CASE WHEN id IN ('SALES1', 'SALES2') THEN 'F' ELSE ' ' END,
       'DME', CASE WHEN id IN ('SALES1', 'SALES2') THEN 'FR' ELSE 'US' END,
       CASE WHEN id = 'JDE' THEN 'JDE' ELSE 'ADMIN1' END, 'P0092', 'WEBSRV01', pg_temp.ja(created), 91500
FROM tmp_fx_user
UNION ALL
SELECT id, 0, '*ROLE', 'JPD920', 'Y', ' ', 'MDE', ' ', 'ADMIN1', 'P0092', 'WEBSRV01',
       pg_temp.ja(-pg_temp.ri(r, 301, 200, 3000)), pg_temp.hms(r, 302, 8, 18)
FROM tmp_role
UNION ALL
SELECT id, an8, ' ', CASE WHEN u % 3 = 0 THEN 'JPY920' ELSE 'JPD920' END, 'Y',
       pg_temp.pick(ARRAY[' ', ' ', ' ', 'F', 'G', 'S'], u, 303),
       pg_temp.pick(ARRAY['MDE', 'DME', 'YMD'], u, 304),
       pg_temp.pick(ARRAY['US', 'US', 'FR', 'DE', 'ES', 'GB', 'IT'], u, 305),
       'ADMIN1', 'P0092', 'WEBSRV01', pg_temp.ja(created), pg_temp.hms(u, 306, 8, 18)
FROM tmp_user;
