-- F0093 environments of users and roles.
INSERT INTO {{system}}.f0093 (lluser, llll)
SELECT id, env FROM tmp_fx_role CROSS JOIN (VALUES ('JPD920')) AS e(env)
UNION ALL
SELECT id, env FROM tmp_fx_user
CROSS JOIN LATERAL (SELECT unnest(CASE WHEN id IN ('JDE', 'ADMIN1')
                                       THEN ARRAY['JPD920', 'JPY920', 'JDV920', 'JPS920']
                                       ELSE ARRAY['JPD920'] END)) AS e(env)
UNION ALL
SELECT id, 'JPD920' FROM tmp_role
UNION ALL
SELECT id, 'JPD920' FROM tmp_user
UNION ALL
SELECT id, 'JPY920' FROM tmp_user WHERE u % 3 = 0;
