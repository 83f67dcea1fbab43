-- F983051 versions: curated versions, then ZJDE0001 (and ZJDE0002 for every other generated
-- application) for applications and XJDE0001..XJDE000k (k = 1..3) for generated batch programs.
CREATE TEMP TABLE tmp_ver (pid text NOT NULL, vers text NOT NULL, jd text NOT NULL, PRIMARY KEY (pid, vers));

INSERT INTO tmp_ver (pid, vers, jd) VALUES
('P01012', 'ZJDE0001', 'Address Book Revisions'),
('P0092', 'ZJDE0001', 'User Profile Revisions'),
('P00950', 'ZJDE0001', 'Security Workbench'),
('P95921', 'ZJDE0001', 'Role Relationships'),
('P98OWSEC', 'ZJDE0001', 'User Security'),
('P0411', 'ZJDE0001', 'Standard Voucher Entry'),
('P0411', 'ZJDE0002', 'Voucher Entry - Logistics'),
('P04012', 'ZJDE0001', 'Supplier Master Information'),
('P0413M', 'ZJDE0001', 'Manual Payments'),
('P0911', 'ZJDE0001', 'Journal Entry'),
('P0901', 'ZJDE0001', 'Account Master'),
('P03B2002', 'ZJDE0001', 'Customer Ledger Inquiry'),
('P03013', 'ZJDE0001', 'Customer Master'),
('P4210', 'ZJDE0001', 'Sales Order Entry'),
('P4210', 'ZJDE0002', 'Sales Order Entry - Credit Orders'),
('P4310', 'ZJDE0001', 'Purchase Orders'),
('P41026', 'ZJDE0001', 'Item Branch/Plant Information'),
('P4101', 'ZJDE0001', 'Item Master'),
('P550001', 'ZJDE0001', 'Custom Approval Dashboard'),
('R0006P', 'XJDE0001', 'Business Units by Company'),
('R0006P', 'XJDE0002', 'Business Units by Category Code'),
('R0004P', 'XJDE0001', 'User Defined Codes'),
('R09801', 'XJDE0001', 'General Ledger Post'),
('R09801', 'ZJDE0001', 'General Ledger Post - Summarised'),
('R04570', 'XJDE0001', 'Create Payment Groups'),
('R42800', 'XJDE0001', 'Sales Update'),
('R42800', 'ZJDE0001', 'Sales Update - Interactive'),
('R43500', 'XJDE0001', 'Print Purchase Orders'),
('R550001', 'XJDE0001', 'Custom Interface Extract');

INSERT INTO tmp_ver (pid, vers, jd)
SELECT o.obnm, 'ZJDE000' || v, left(o.md, 40) || CASE WHEN v = 1 THEN '' ELSE ' - Alternate' END
FROM tmp_obj o CROSS JOIN LATERAL generate_series(1, 1 + o.n % 2) AS v
WHERE NOT o.curated AND o.funo = 'APPL'
UNION ALL
SELECT o.obnm, 'XJDE000' || v, left(o.md, 40) || CASE WHEN v = 1 THEN '' ELSE ' - Version ' || v END
FROM tmp_obj o CROSS JOIN LATERAL generate_series(1, 1 + o.n % 3) AS v
WHERE NOT o.curated AND o.funo = 'UBE';

INSERT INTO {{central_objects}}.f983051 (vrpid, vrvers, vrjd, vrchkoutsts, vruser, vrjobn, vrupmj, vrupmt)
SELECT v.pid, v.vers, v.jd, '0', 'JDE', 'DEPLOY01',
       CASE WHEN o.curated THEN pg_temp.ja(-1500) ELSE pg_temp.ja(-pg_temp.ri(o.n, 21, 30, 2500)) END,
       CASE WHEN o.curated THEN 130000 ELSE pg_temp.hms(o.n, 22, 7, 19) END
FROM tmp_ver v JOIN tmp_obj o ON o.obnm = v.pid;
