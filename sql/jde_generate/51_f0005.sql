-- F0005 UDC values. Keys of numeric UDC types are right-justified in DRKY (char 10), e.g.
-- '        10'; alphanumeric keys are left-justified; 01/LP has a blank key.
INSERT INTO {{control}}.f0005 (drsy, drrt, drky, drdl01, drdl02, drsphd, drudco, drhrdc,
                               druser, drpid, drupmj, drjobn, drupmt)
SELECT v.sy, v.rt, v.ky, v.dl01, '', v.sphd, ' ', v.hrdc, 'JDE', 'P0004A', pg_temp.ja(-2000), 'DEPLOY01', 100000
FROM (VALUES
    ('98', 'ET', '01', 'Sign-on', '', 'Y'),
    ('98', 'ET', '02', 'Sign-off', '', 'Y'),
    ('98', 'ET', '03', 'Password Change', '', 'Y'),
    ('98', 'ET', '04', 'System Administrator Change', '', 'Y'),
    ('98', 'ET', '05', 'Add User', '', 'Y'),
    ('98', 'ET', '06', 'Delete User', '', 'Y'),
    ('98', 'ET', '13', 'Add User/Role Relationship', '', 'Y'),
    ('98', 'ET', '14', 'Remove User/Role Relationship', '', 'Y'),
    ('98', 'ET', '15', 'Modify User/Role Relationship', '', 'Y'),
    ('01', 'ST', 'E', 'Employees', '', 'N'),
    ('01', 'ST', 'C', 'Customers', '', 'N'),
    ('01', 'ST', 'V', 'Suppliers', '', 'N'),
    ('01', 'ST', 'X', 'Other (contractors, system)', '', 'N'),
    ('01', 'LP', '', 'Base language (English)', '', 'N'),
    ('01', 'LP', 'E', 'English', '', 'N'),
    ('01', 'LP', 'F', 'French', '', 'N'),
    ('01', 'LP', 'G', 'German', '', 'N'),
    ('01', 'LP', 'S', 'Spanish', '', 'N')
) AS v(sy, rt, ky, dl01, sphd, hrdc)
UNION ALL
SELECT '98', 'SY', s.sy, left(s.descr, 30), '', 'N', ' ', 'N', 'JDE', 'P0004A', pg_temp.ja(-2000), 'DEPLOY01', 100000
FROM tmp_sy s
UNION ALL
SELECT '55', 'BG', lpad((10 * g)::text, 10), 'Business unit group ' || (10 * g), '', '', ' ', 'N',
       'ADMIN1', 'P0004A', pg_temp.ja(-900), 'WEBSRV01', 110000
FROM generate_series(1, 9) AS g;

INSERT INTO {{control}}.f0005 (drsy, drrt, drky, drdl01, drdl02, drsphd, drudco, drhrdc,
                               druser, drpid, drupmj, drjobn, drupmt)
SELECT t.sy, t.rt,
       CASE WHEN t.cnum = 'Y' THEN lpad(v::text, 10) ELSE 'C' || lpad(v::text, 4, '0') END,
       left(pg_temp.pick(pg_temp.words('udc'), k, 911) || ' '
            || pg_temp.pick(pg_temp.words('entity'), k, 912) || ' ' || v, 30),
       CASE WHEN pg_temp.u(k, 913) < 0.3 THEN left(pg_temp.pick(pg_temp.words('entity'),
                                                                 k, 914), 30) ELSE '' END,
       CASE WHEN pg_temp.u(k, 915) < 0.1 THEN pg_temp.ri(k, 916, 1, 9)::text ELSE '' END,
       ' ', 'N', 'ADMIN1', 'P0004A', pg_temp.ja(-pg_temp.ri(k, 917, 1, 2000)), 'WEBSRV01', pg_temp.hms(k, 918, 7, 19)
FROM tmp_udc_type t
CROSS JOIN LATERAL generate_series(1, {{udc_values}}) AS v
CROSS JOIN LATERAL (SELECT t.t::bigint * 100000 + v AS k) AS x
WHERE t.t > 0;
