-- F9860 object librarian: the curated real JDE objects every profile has (the fixtures use them;
-- the tables carry their column prefix SIPFX, which locates their audit columns)
-- plus {{gen_objects}} generated objects spread over real system codes.
CREATE TEMP TABLE tmp_obj (
    obnm    text PRIMARY KEY,
    md      text NOT NULL,
    sy      text NOT NULL,
    funo    text NOT NULL,
    pfx     text NOT NULL DEFAULT '',
    curated boolean NOT NULL,
    n       int NOT NULL              -- generation number (0 for curated objects)
);

INSERT INTO tmp_obj (obnm, md, sy, funo, pfx, curated, n) VALUES
-- interactive applications
('P01012',   'Address Book Revisions',            '01',  'APPL', '', true, 0),
('P0092',    'User Profile Revisions',            'H95', 'APPL', '', true, 0),
('P00950',   'Security Workbench',                'H95', 'APPL', '', true, 0),
('P95921',   'Role Relationships',                'H95', 'APPL', '', true, 0),
('P98OWSEC', 'User Security',                     'H95', 'APPL', '', true, 0),
('P0411',    'Standard Voucher Entry',            '04',  'APPL', '', true, 0),
('P04012',   'Supplier Master Information',       '04',  'APPL', '', true, 0),
('P0413M',   'Manual Payments',                   '04',  'APPL', '', true, 0),
('P0911',    'Journal Entry',                     '09',  'APPL', '', true, 0),
('P0901',    'Account Master',                    '09',  'APPL', '', true, 0),
('P03B2002', 'Customer Ledger Inquiry',           '03B', 'APPL', '', true, 0),
('P03013',   'Customer Master',                   '03B', 'APPL', '', true, 0),
('P4210',    'Sales Order Entry',                 '42',  'APPL', '', true, 0),
('P4310',    'Purchase Orders',                   '43',  'APPL', '', true, 0),
('P41026',   'Item Branch/Plant Information',     '41',  'APPL', '', true, 0),
('P4101',    'Item Master',                       '41',  'APPL', '', true, 0),
('P550001',  'Custom Approval Dashboard',         '55',  'APPL', '', true, 0),
-- batch applications (UBE)
('R0006P',   'Business Unit Report',              '00',  'UBE',  '', true, 0),
('R0004P',   'User Defined Codes Report',         '00',  'UBE',  '', true, 0),
('R09801',   'General Ledger Post',               '09',  'UBE',  '', true, 0),
('R04570',   'Create Payment Groups',             '04',  'UBE',  '', true, 0),
('R42800',   'Sales Update',                      '42',  'UBE',  '', true, 0),
('R43500',   'Purchase Order Print',              '43',  'UBE',  '', true, 0),
('R550001',  'Custom Interface Extract',          '55',  'UBE',  '', true, 0),
-- tables
('F0101',    'Address Book Master',               '01',  'TBLE', 'AB', true, 0),
('F0411',    'Accounts Payable Ledger',           '04',  'TBLE', 'RP', true, 0),
('F0911',    'Account Ledger',                    '09',  'TBLE', 'GL', true, 0),
('F4211',    'Sales Order Detail File',           '42',  'TBLE', 'SD', true, 0),
('F4311',    'Purchase Order Detail File',        '43',  'TBLE', 'PD', true, 0),
('F0092',    'Library Lists - User',              'H95', 'TBLE', 'UL', true, 0),
('F00950',   'Security Workbench Table',          'H95', 'TBLE', 'FS', true, 0),
('F95921',   'Role Relationship Table',           'H95', 'TBLE', 'RL', true, 0),
('F060116',  'Employee Master',                   '06',  'TBLE', 'YA', true, 0),
('F03B11',   'Customer Ledger',                   '03B', 'TBLE', 'RP', true, 0),
('F4101',    'Item Master',                       '41',  'TBLE', 'IM', true, 0),
('F5501001', 'Custom Approval Log',               '55',  'TBLE', 'Q1', true, 0),
('F559999',  'Custom Interface Staging',          '55',  'TBLE', 'Q9', true, 0),
('F0005',    'User Defined Code Values',          '00',  'TBLE', 'DR', true, 0),
-- business function and business view
('B0100032', 'Get Phone',                         '01',  'BSFN', '', true, 0),
('V0101E',   'Address Book Master',               '01',  'BSVW', '', true, 0);

INSERT INTO tmp_obj (obnm, md, sy, funo, pfx, curated, n)
WITH g AS (
    SELECT n, (n - 1) % 20 AS b, pg_temp.u(n, 11) AS w
    FROM generate_series(1, {{gen_objects}}) AS n
), t AS (
    SELECT g.n, s.sy,
           CASE WHEN g.b < 7 THEN 'APPL' WHEN g.b < 12 THEN 'UBE' WHEN g.b < 15 THEN 'TBLE'
                WHEN g.b < 18 THEN 'BSFN' ELSE 'BSVW' END AS funo
    FROM g JOIN tmp_sy s ON g.w >= s.lo AND g.w < s.hi
)
SELECT CASE t.funo WHEN 'APPL' THEN 'P' WHEN 'UBE' THEN 'R' WHEN 'TBLE' THEN 'F'
                   WHEN 'BSFN' THEN 'B' ELSE 'V' END
       || t.sy || (5000 + row_number() OVER (PARTITION BY t.funo, t.sy ORDER BY t.n))::text,
       CASE t.funo
           WHEN 'APPL' THEN pg_temp.pick(pg_temp.words('entity'), t.n, 12)
                            || ' ' || pg_temp.pick(pg_temp.words('appl'), t.n, 13)
           WHEN 'UBE'  THEN pg_temp.pick(pg_temp.words('entity'), t.n, 12)
                            || ' ' || pg_temp.pick(pg_temp.words('ube'), t.n, 13)
           WHEN 'TBLE' THEN pg_temp.pick(pg_temp.words('entity'), t.n, 12)
                            || ' ' || pg_temp.pick(pg_temp.words('tble'), t.n, 13)
           WHEN 'BSFN' THEN pg_temp.pick(pg_temp.words('bsfn'), t.n, 13)
                            || ' ' || pg_temp.pick(pg_temp.words('entity'), t.n, 12)
           ELSE pg_temp.pick(pg_temp.words('entity'), t.n, 12) || ' View'
       END,
       t.sy, t.funo,
       CASE WHEN t.funo = 'TBLE' THEN chr(65 + pg_temp.ri(t.n, 14, 0, 25)) || chr(65 + pg_temp.ri(t.n, 15, 0, 25))
            ELSE '' END,
       false, t.n
FROM t;

INSERT INTO {{object_librarian}}.f9860
    (siobnm, simd, sisy, sisyr, sifuno, sifunu, sipfx, sisrclng, sicpyd, sipardll, simid1, siapplid,
     sicato, siuser, sipid, sijobn, siupmj, siupmt)
SELECT o.obnm, o.md, o.sy, o.sy, o.funo,
       CASE o.funo WHEN 'APPL' THEN '164' WHEN 'UBE' THEN '180' WHEN 'TBLE' THEN '210'
                   WHEN 'BSVW' THEN '300' ELSE '310' END,
       o.pfx,
       CASE WHEN o.funo = 'BSFN' THEN (CASE WHEN o.n % 3 = 0 THEN 'NER' ELSE 'C' END) ELSE '' END,
       CASE WHEN o.funo = 'TBLE' THEN 'Y' ELSE 'N' END,
       CASE o.funo WHEN 'TBLE' THEN 'JDBTRIG' WHEN 'BSFN' THEN 'CALLBSFN' ELSE '' END,
       CASE WHEN o.funo IN ('APPL', 'UBE') THEN 'T' || substr(o.obnm, 2) ELSE '' END,
       CASE WHEN o.curated THEN 0 ELSE o.n END,
       '',
       CASE WHEN o.curated THEN 'JDE' ELSE pg_temp.pick(ARRAY['JDE', 'CNCADMIN', 'DEVLEAD'], o.n, 16) END,
       'P98220', 'DEPLOY01',
       CASE WHEN o.curated THEN pg_temp.ja(-2000) ELSE pg_temp.ja(-pg_temp.ri(o.n, 17, 30, 3000)) END,
       CASE WHEN o.curated THEN 120000 ELSE pg_temp.hms(o.n, 18, 7, 19) END
FROM tmp_obj o;
