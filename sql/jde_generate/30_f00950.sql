-- F00950 security workbench. Types: 1 application (FSRUN), 2 action (FSA FSCHNG FSDLT FSIOK
-- FSCOPY FSSCRL), 3 row (FSDTAI + FSFRDV..FSTHDV, right-justified business units), 4 column,
-- 5 processing option / data selection, 6 tab (FSFRDV = tab id), 9 exclusive application.
-- Flags: 'Y' allowed, 'N' secured, ' ' not applicable to the type.
CREATE TEMP TABLE tmp_fx_sec (
    who text, obj text, ver text, form text, sety text, dtai text, frdv text, thdv text,
    run text, vwyn text, a text, chng text, dlt text, iok text, copy text, scrl text
);
INSERT INTO tmp_fx_sec VALUES
-- *PUBLIC baseline: locked down (*ALL run N), address book open read-only
('*PUBLIC',  '*ALL',     '', '',       '1', '', '', '', 'N', '', '', '', '', '', '', ''),
('*PUBLIC',  'P01012',   '', '',       '1', '', '', '', 'Y', '', '', '', '', '', '', ''),
('*PUBLIC',  'P01012',   '', '',       '2', '', '', '', '', '', 'N', 'N', 'N', 'Y', 'N', 'Y'),
('*PUBLIC',  'F0101',    '', '',       '3', 'MCU', '30', '39', '', 'N', 'N', 'N', 'N', '', '', ''),
('*PUBLIC',  'R0006P',   '', '',       '5', '', '', '', '', 'Y', 'N', 'N', '', '', '', ''),
('*PUBLIC',  'P4210',    '', 'W4210A', '6', '', '3', '', '', 'N', '', '', '', '', '', ''),
-- APCLERK (sequence 10)
('APCLERK',  'P0411',    '', '',       '1', '', '', '', 'Y', '', '', '', '', '', '', ''),
('APCLERK',  'P0411',    '', '',       '2', '', '', '', '', '', 'Y', 'Y', 'N', 'Y', 'Y', 'Y'),
('APCLERK',  'P04012',   '', '',       '1', '', '', '', 'N', '', '', '', '', '', '', ''),
('APCLERK',  'P0911',    '', '',       '1', '', '', '', 'N', '', '', '', '', '', '', ''),
('APCLERK',  'P01012',   '', '',       '2', '', '', '', '', '', 'Y', 'Y', 'N', 'Y', 'N', 'Y'),
('APCLERK',  'R04570',   '', '',       '1', '', '', '', 'Y', '', '', '', '', '', '', ''),
-- APSUPER (20)
('APSUPER',  'P0411',    '', '',       '1', '', '', '', 'Y', '', '', '', '', '', '', ''),
('APSUPER',  'P0411',    '', '',       '2', '', '', '', '', '', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y'),
('APSUPER',  'P04012',   '', '',       '1', '', '', '', 'Y', '', '', '', '', '', '', ''),
('APSUPER',  'P04012',   '', '',       '2', '', '', '', '', '', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y'),
('APSUPER',  'P0413M',   '', '',       '1', '', '', '', 'Y', '', '', '', '', '', '', ''),
('APSUPER',  'R04570',   '', '',       '1', '', '', '', 'Y', '', '', '', '', '', '', ''),
-- GLACCT (30)
('GLACCT',   'P0911',    '', '',       '1', '', '', '', 'Y', '', '', '', '', '', '', ''),
('GLACCT',   'P0911',    '', '',       '2', '', '', '', '', '', 'Y', 'Y', 'N', 'Y', 'Y', 'Y'),
('GLACCT',   'P0911',    '', '',       '4', 'AA', '', '', '', 'Y', '', 'N', '', '', '', ''),
('GLACCT',   'R09801',   '', '',       '1', '', '', '', 'Y', '', '', '', '', '', '', ''),
('GLACCT',   'R09801',   'XJDE0001', '', '1', '', '', '', 'N', '', '', '', '', '', '', ''),
('GLACCT',   'R09801',   '', '',       '5', '', '', '', '', 'Y', 'N', 'Y', '', '', '', ''),
('GLACCT',   'P0901',    '', '',       '1', '', '', '', 'Y', '', '', '', '', '', '', ''),
-- SALESREP (40)
('SALESREP', 'P4210',    '', '',       '1', '', '', '', 'Y', '', '', '', '', '', '', ''),
('SALESREP', 'P4210',    '', 'W4210A', '2', '', '', '', '', '', 'Y', 'Y', 'N', 'Y', 'N', 'Y'),
('SALESREP', 'R42800',   '', '',       '1', '', '', '', 'N', '', '', '', '', '', '', ''),
('SALESREP', 'P03B2002', '', '',       '1', '', '', '', 'Y', '', '', '', '', '', '', ''),
-- PURCHASE (50)
('PURCHASE', 'P4310',    '', '',       '1', '', '', '', 'Y', '', '', '', '', '', '', ''),
('PURCHASE', 'P4310',    '', '',       '2', '', '', '', '', '', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y'),
('PURCHASE', 'P41026',   '', '',       '1', '', '', '', 'Y', '', '', '', '', '', '', ''),
('PURCHASE', 'R43500',   '', '',       '1', '', '', '', 'Y', '', '', '', '', '', '', ''),
('PURCHASE', 'F4311',    '', '',       '3', 'MCU', '10', '19', '', 'Y', 'Y', 'Y', 'N', '', '', ''),
-- AUDITRO (60): run everything, change nothing, except the security workbench
('AUDITRO',  '*ALL',     '', '',       '1', '', '', '', 'Y', '', '', '', '', '', '', ''),
('AUDITRO',  '*ALL',     '', '',       '2', '', '', '', '', '', 'N', 'N', 'N', 'Y', 'N', 'Y'),
('AUDITRO',  'P00950',   '', '',       '1', '', '', '', 'N', '', '', '', '', '', '', ''),
-- SYSADMIN (5)
('SYSADMIN', '*ALL',     '', '',       '1', '', '', '', 'Y', '', '', '', '', '', '', ''),
('SYSADMIN', '*ALL',     '', '',       '2', '', '', '', '', '', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y'),
('SYSADMIN', 'P4210',    '', '',       '9', '', '', '', 'Y', '', '', '', '', '', '', ''),
-- user level
('APCLRK2',  '*ALL',     '', '',       '1', '', '', '', 'Y', '', '', '', '', '', '', ''),
('NOROLE1',  'P0411',    '', '',       '1', '', '', '', 'Y', '', '', '', '', '', '', ''),
('FORMUSR1', 'P4210',    '', 'W4210E', '1', '', '', '', 'N', '', '', '', '', '', '', ''),
('FORMUSR1', 'R42800',   'XJDE0001', '', '1', '', '', '', 'Y', '', '', '', '', '', '', ''),
('MULTI1',   'P4310',    '', '',       '2', '', '', '', '', '', 'Y', 'Y', 'N', 'Y', 'Y', 'Y'),
('ADMIN1',   'R09801',   '', '',       '5', '', '', '', '', 'Y', 'Y', 'Y', '', '', '', ''),
('SALES2',   'P4210',    '', 'W4210A', '6', '', '3', '', '', 'Y', '', '', '', '', '', ''),
('AUDITOR1', 'P0911',    '', '',       '2', '', '', '', '', '', 'N', 'N', 'N', 'N', 'N', 'N');

INSERT INTO {{security}}.f00950 (fsuser, fsobnm, fsver, fsfmnm, fssety, fssy, fsdtai, fsfrdv, fsthdv,
                                 fsrun, fsvwyn, fsa, fschng, fsdlt, fsiok, fscopy, fsscrl,
                                 fsmuse, fspid, fsjobn, fsupmj, fsupmt)
SELECT s.who, s.obj, s.ver, s.form, s.sety, coalesce(o.sy, ''), s.dtai,
       CASE WHEN s.dtai = 'MCU' THEN lpad(s.frdv, 12) ELSE s.frdv END,   -- business units right-justified
       CASE WHEN s.dtai = 'MCU' THEN lpad(s.thdv, 12) ELSE s.thdv END,
       s.run, s.vwyn, s.a, s.chng, s.dlt, s.iok, s.copy, s.scrl,
       'ADMIN1', 'P00950', 'WEBSRV01', pg_temp.ja(-120), 153000
FROM tmp_fx_sec s LEFT JOIN tmp_obj o ON o.obnm = s.obj;

-- generated principals: roles (most rights) and users, each with a window of executable objects
CREATE TEMP TABLE tmp_principal AS
SELECT r AS p, id, start, slots, 0.92 AS py, 0.75 AS pa FROM tmp_role
UNION ALL
SELECT 100000 + u, id, start, slots, 0.60, 0.50 FROM tmp_user;

INSERT INTO {{security}}.f00950 (fsuser, fsobnm, fsver, fsfmnm, fssety, fssy,
                                 fsrun, fsa, fschng, fsdlt, fsiok, fscopy, fsscrl,
                                 fsmuse, fspid, fsjobn, fsupmj, fsupmt)
SELECT p.id, e.obnm,
       CASE WHEN k.kind = 'ver' THEN e.first_ver ELSE '' END,
       CASE WHEN k.kind = 'form' THEN e.first_form ELSE '' END,
       k.sety, e.sy,
       CASE WHEN k.sety = '1' THEN CASE WHEN pg_temp.u(x.n, 701) < p.py THEN 'Y' ELSE 'N' END ELSE '' END,
       CASE WHEN k.sety = '2' THEN CASE WHEN pg_temp.u(x.n, 702) < p.pa THEN 'Y' ELSE 'N' END ELSE '' END,
       CASE WHEN k.sety = '2' THEN CASE WHEN pg_temp.u(x.n, 703) < p.pa THEN 'Y' ELSE 'N' END ELSE '' END,
       CASE WHEN k.sety = '2' THEN CASE WHEN pg_temp.u(x.n, 704) < p.pa - 0.3 THEN 'Y' ELSE 'N' END ELSE '' END,
       CASE WHEN k.sety = '2' THEN CASE WHEN pg_temp.u(x.n, 705) < 0.95 THEN 'Y' ELSE 'N' END ELSE '' END,
       CASE WHEN k.sety = '2' THEN CASE WHEN pg_temp.u(x.n, 706) < p.pa THEN 'Y' ELSE 'N' END ELSE '' END,
       CASE WHEN k.sety = '2' THEN CASE WHEN pg_temp.u(x.n, 707) < 0.90 THEN 'Y' ELSE 'N' END ELSE '' END,
       'ADMIN1', 'P00950', 'WEBSRV01', pg_temp.ja(-pg_temp.ri(x.n, 708, 1, 1500)), pg_temp.hms(x.n, 709, 7, 19)
FROM tmp_principal p
CROSS JOIN LATERAL generate_series(0, p.slots - 1) AS j
JOIN tmp_exec e ON e.gidx = (p.start + j) % (SELECT count(*) FROM tmp_exec)
JOIN tmp_slotkind k ON k.m = j % 10 AND (k.funo IS NULL OR k.funo = e.funo)
CROSS JOIN LATERAL (SELECT p.p::bigint * 4000000 + j * 4 + (k.kind = 'ver')::int * 2 + (k.sety = '2')::int AS n) AS x;

-- generated *PUBLIC grants on every 100th generated executable object (not in tiny, whose
-- security tables hold the named fixtures only)
INSERT INTO {{security}}.f00950 (fsuser, fsobnm, fssety, fssy, fsrun, fsmuse, fspid, fsjobn, fsupmj, fsupmt)
SELECT '*PUBLIC', e.obnm, '1', e.sy, 'Y', 'ADMIN1', 'P00950', 'WEBSRV01',
       pg_temp.ja(-pg_temp.ri(e.n, 711, 1, 1500)), pg_temp.hms(e.n, 712, 7, 19)
FROM tmp_exec e
WHERE NOT e.curated AND e.n % 100 = 7 AND {{gen_users}} + {{gen_roles}} > 0;

-- generated role extras: row (3), column (4), processing option (5), tab (6), exclusive (9)
INSERT INTO {{security}}.f00950 (fsuser, fsobnm, fsfmnm, fssety, fssy, fsdtai, fsfrdv, fsthdv,
                                 fsrun, fsvwyn, fsa, fschng, fsdlt,
                                 fsmuse, fspid, fsjobn, fsupmj, fsupmt)
SELECT r.id, x.obj, x.form, x.sety, x.sy, x.dtai, x.frdv, x.thdv, x.run, x.vwyn, x.a, x.chng, x.dlt,
       'ADMIN1', 'P00950', 'WEBSRV01', pg_temp.ja(-pg_temp.ri(r.r, 721, 1, 1500)), pg_temp.hms(r.r, 722, 7, 19)
FROM tmp_role r
CROSS JOIN LATERAL (
    SELECT 'F0101' AS obj, '' AS form, '3' AS sety, '01' AS sy, 'MCU' AS dtai,
           lpad((10 + 10 * (r.r % 9))::text, 12) AS frdv, lpad((19 + 10 * (r.r % 9))::text, 12) AS thdv,
           '' AS run, CASE WHEN r.r % 8 = 0 THEN 'N' ELSE 'Y' END AS vwyn, 'N' AS a, 'Y' AS chng, 'N' AS dlt
    WHERE r.r % 4 = 0
    UNION ALL
    SELECT e.obnm, '', '4', e.sy, 'AA', '', '', '', 'Y', '', 'N', ''
    FROM tmp_exec e WHERE r.r % 15 = 0 AND r.slots >= 2
      AND e.gidx = (r.start + 1) % (SELECT count(*) FROM tmp_exec)
    UNION ALL
    SELECT e.obnm, '', '5', e.sy, '', '', '', '', 'Y', 'N', 'N', ''
    FROM tmp_exec e WHERE r.r % 6 = 0 AND r.slots >= 1 AND e.gidx = r.start
    UNION ALL
    SELECT a.obnm, a.first_form, '6', a.sy, '', (1 + r.r % 5)::text, '', '', 'N', '', '', ''
    FROM tmp_appl a WHERE r.r % 9 = 0
      AND a.aidx = (r.r * 7) % (SELECT count(*) FROM tmp_appl)
    UNION ALL
    SELECT e.obnm, '', '9', e.sy, '', '', '', 'Y', '', '', '', ''
    FROM tmp_exec e WHERE r.r % 50 = 0 AND r.slots >= 3
      AND e.gidx = (r.start + 2) % (SELECT count(*) FROM tmp_exec)
) AS x;

-- a few generated users with their own *ALL application record
INSERT INTO {{security}}.f00950 (fsuser, fsobnm, fssety, fsrun, fsmuse, fspid, fsjobn, fsupmj, fsupmt)
SELECT id, '*ALL', '1', CASE WHEN u % 400 = 0 THEN 'N' ELSE 'Y' END, 'ADMIN1', 'P00950', 'WEBSRV01',
       pg_temp.ja(-pg_temp.ri(u, 731, 1, 900)), pg_temp.hms(u, 732, 7, 19)
FROM tmp_user WHERE u % 200 = 0;
