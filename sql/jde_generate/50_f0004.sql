-- F0004 UDC types: curated types (98/ET security events, 98/SY product codes, 01/ST search
-- types, 01/LP languages with a blank code, 55/BG numeric right-justified codes), then
-- {{udc_types}} generated custom types in systems 55/56/57 (every third one numeric).
CREATE TEMP TABLE tmp_udc_type (sy text, rt text, dl01 text, cdl int, cnum text, t int, PRIMARY KEY (sy, rt));
INSERT INTO tmp_udc_type VALUES
('98', 'ET', 'Security History Event Type', 2, 'N', 0),
('98', 'SY', 'Product Codes',               4, 'N', 0),
('01', 'ST', 'Search Type',                 3, 'N', 0),
('01', 'LP', 'Language Preference',         2, 'N', 0),
('55', 'BG', 'Business Unit Groups',        10, 'Y', 0);

INSERT INTO tmp_udc_type
SELECT (ARRAY['55', '56', '57'])[1 + t % 3],
       substr('0123456789', 1 + (t / 3 / 36) % 10, 1)
       || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', 1 + (t / 3) % 36, 1),
       left(pg_temp.pick(pg_temp.words('entity'), t, 901) || ' '
            || pg_temp.pick(pg_temp.words('udc'), t, 902) || ' Codes', 30),
       CASE WHEN t % 3 = 0 THEN 10 ELSE 5 END,
       CASE WHEN t % 3 = 0 THEN 'Y' ELSE 'N' END,
       t
FROM generate_series(1, {{udc_types}}) AS t;

INSERT INTO {{control}}.f0004 (dtsy, dtrt, dtdl01, dtuseq, dtucd1, dtcdl, dtln2, dtcnum, dtmrct, dtmrty,
                               dtuser, dtpid, dtupmj, dtjobn, dtupmt)
SELECT sy, rt, dl01, 0, ' ', cdl, 'N', cnum, 'N', 'N', 'JDE', 'P0004A', pg_temp.ja(-2000 + t % 1000),
       'DEPLOY01', 100000 + t % 60
FROM tmp_udc_type;
