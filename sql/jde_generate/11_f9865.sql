-- F9865 form information: curated forms of the curated applications, then 1..4 forms per
-- generated application (W + application name without P + A/B/C/D; form A is the entry point).
CREATE TEMP TABLE tmp_form (
    fmnm text PRIMARY KEY, obnm text NOT NULL, md text NOT NULL, fmpt text NOT NULL, entry text NOT NULL
);

INSERT INTO tmp_form (fmnm, obnm, md, fmpt, entry) VALUES
('W01012A',   'P01012',   'Address Book Revision',             'FI', '0'),
('W01012B',   'P01012',   'Work With Addresses',               'BR', '1'),
('W0092A',    'P0092',    'Work With User/Role Profiles',      'BR', '1'),
('W0092D',    'P0092',    'User Profile Revisions',            'FI', '0'),
('W00950A',   'P00950',   'Work With Security',                'BR', '1'),
('W95921A',   'P95921',   'Work With Role Relationships',      'BR', '1'),
('W98OWSECE', 'P98OWSEC', 'Work With User/Role Security',      'BR', '1'),
('W0411A',    'P0411',    'Supplier Ledger Inquiry',           'BR', '1'),
('W0411G',    'P0411',    'Standard Voucher Entry',            'FI', '0'),
('W04012A',   'P04012',   'Supplier Master Revision',          'FI', '0'),
('W04012B',   'P04012',   'Work With Supplier Master',         'BR', '1'),
('W0413MA',   'P0413M',   'Work With Payments',                'BR', '1'),
('W0413MB',   'P0413M',   'Manual Payment Entry',              'FI', '0'),
('W0911A',    'P0911',    'Journal Entry',                     'FI', '0'),
('W0911I',    'P0911',    'Work With Journal Entries',         'BR', '1'),
('W0901A',    'P0901',    'Work With Accounts',                'BR', '1'),
('W03B2002A', 'P03B2002', 'Work With Customer Ledger Inquiry', 'BR', '1'),
('W03013A',   'P03013',   'Customer Master Revision',          'FI', '0'),
('W03013B',   'P03013',   'Work With Customer Master',         'BR', '1'),
('W4210A',    'P4210',    'Sales Order Detail Revisions',      'FI', '0'),
('W4210E',    'P4210',    'Customer Service Inquiry',          'BR', '1'),
('W4310A',    'P4310',    'Order Detail',                      'FI', '0'),
('W4310G',    'P4310',    'Work With Order Headers',           'BR', '1'),
('W41026A',   'P41026',   'Work With Item Branch',             'BR', '1'),
('W41026B',   'P41026',   'Item Branch Revision',              'FI', '0'),
('W4101A',    'P4101',    'Item Master Revisions',             'FI', '0'),
('W4101E',    'P4101',    'Work With Item Master Browse',      'BR', '1'),
('W550001A',  'P550001',  'Custom Approval Dashboard',         'BR', '1');

INSERT INTO tmp_form (fmnm, obnm, md, fmpt, entry)
SELECT 'W' || substr(o.obnm, 2) || chr(64 + f), o.obnm,
       CASE f WHEN 1 THEN 'Work With ' || o.md WHEN 2 THEN o.md || ' Revision'
              WHEN 3 THEN o.md || ' Detail' ELSE o.md || ' Search' END,
       CASE f WHEN 1 THEN 'BR' WHEN 2 THEN 'FI' WHEN 3 THEN 'HD' ELSE 'PC' END,
       CASE WHEN f = 1 THEN '1' ELSE '0' END
FROM tmp_obj o
CROSS JOIN LATERAL generate_series(1, 1 + o.n % 4) AS f
WHERE NOT o.curated AND o.funo = 'APPL';

INSERT INTO {{object_librarian}}.f9865
    (swfmnm, swfmid, swmd, swfmpt, swsy, swfuno, swobnm, swentrypt, swhelpid1,
     swuser, swpid, swjobn, swupmj, swupmt)
SELECT f.fmnm, row_number() OVER (ORDER BY f.fmnm), left(f.md, 60), f.fmpt, o.sy, 'APPL', f.obnm, f.entry,
       1600000 + row_number() OVER (ORDER BY f.fmnm),
       'JDE', 'P98220', 'DEPLOY01',
       CASE WHEN o.curated THEN pg_temp.ja(-2000) ELSE pg_temp.ja(-pg_temp.ri(o.n, 17, 30, 3000)) END,
       CASE WHEN o.curated THEN 120000 ELSE pg_temp.hms(o.n, 18, 7, 19) END
FROM tmp_form f JOIN tmp_obj o ON o.obnm = f.obnm;
