-- F9000 task master: fixture menus (task views 91 and 93) and, in demo / large, one module folder
-- per system code with "Daily Processing" (applications) and "Periodic Processing" (batch) folders.
-- Task ids are 10-digit strings; type '07' folder, '01' interactive application, '02' batch.
CREATE TEMP TABLE tmp_task (id int PRIMARY KEY, name text, type text, obj text, form text, vers text);
INSERT INTO tmp_task VALUES
(1,  'JD Edwards EnterpriseOne Menus', '07', '', '', ''),
(2,  'Address Book',                   '07', '', '', ''),
(3,  'Accounts Payable',               '07', '', '', ''),
(4,  'Supplier and Voucher Entry',     '07', '', '', ''),
(5,  'Payment Processing',             '07', '', '', ''),
(6,  'General Accounting',             '07', '', '', ''),
(7,  'Sales Order Management',         '07', '', '', ''),
(8,  'Procurement',                    '07', '', '', ''),
(9,  'Security Maintenance',           '07', '', '', ''),
(10, 'Inventory Management',           '07', '', '', ''),
(20, 'Address Book Revisions',         '01', 'P01012',   'W01012B', 'ZJDE0001'),
(21, 'Supplier Master Information',    '01', 'P04012',   'W04012B', 'ZJDE0001'),
(22, 'Enter Vouchers',                 '01', 'P0411',    'W0411A',  'ZJDE0001'),
(23, 'Enter Vouchers - Logistics',     '01', 'P0411',    'W0411A',  'ZJDE0002'),
(24, 'Manual Payments',                '01', 'P0413M',   'W0413MA', 'ZJDE0001'),
(25, 'Create Payment Groups',          '02', 'R04570',   '',        'XJDE0001'),
(26, 'Journal Entry',                  '01', 'P0911',    'W0911I',  'ZJDE0001'),
(27, 'General Ledger Post',            '02', 'R09801',   '',        'XJDE0001'),
(28, 'General Ledger Post - Summary',  '02', 'R09801',   '',        'ZJDE0001'),
(29, 'Sales Order Entry',              '01', 'P4210',    'W4210A',  'ZJDE0001'),
(30, 'Customer Service Inquiry',       '01', 'P4210',    'W4210E',  'ZJDE0001'),
(31, 'Sales Update',                   '02', 'R42800',   '',        'XJDE0001'),
(32, 'Purchase Orders',                '01', 'P4310',    'W4310G',  'ZJDE0001'),
(33, 'Print Purchase Orders',          '02', 'R43500',   '',        'XJDE0001'),
(34, 'User Profiles',                  '01', 'P0092',    'W0092A',  'ZJDE0001'),
(35, 'Security Workbench',             '01', 'P00950',   'W00950A', 'ZJDE0001'),
(36, 'Role Relationships',             '01', 'P95921',   'W95921A', 'ZJDE0001'),
(37, 'Item Branch/Plant',              '01', 'P41026',   'W41026A', 'ZJDE0001'),
(38, 'Item Master',                    '01', 'P4101',    'W4101E',  'ZJDE0001'),
(50, 'Role Based Favorites',           '07', '', '', ''),
(51, 'Daily Finance',                  '07', '', '', ''),
(52, 'Daily Sales',                    '07', '', '', '');

-- generated menu leaves: the first {{menu_leaves}} generated executables of each system code
CREATE TEMP TABLE tmp_gen_leaf AS
SELECT 2000000 + row_number() OVER (ORDER BY sy, obnm) AS id, sy, obnm, funo, first_form, first_ver,
       row_number() OVER (PARTITION BY sy, funo ORDER BY obnm) AS seq
FROM (
    SELECT e.*, row_number() OVER (PARTITION BY e.sy ORDER BY e.obnm) AS rn
    FROM tmp_exec e WHERE NOT e.curated
) AS x
WHERE rn <= {{menu_leaves}};

INSERT INTO tmp_task
SELECT 1000000 + s.idx * 1000 + f.k,
       CASE f.k WHEN 0 THEN left(s.descr, 40) WHEN 1 THEN 'Daily Processing' ELSE 'Periodic Processing' END,
       '07', '', '', ''
FROM tmp_sy s CROSS JOIN (VALUES (0), (1), (2)) AS f(k)
WHERE EXISTS (SELECT 1 FROM tmp_gen_leaf l WHERE l.sy = s.sy)
UNION ALL
SELECT l.id, left(o.md, 40), CASE WHEN l.funo = 'APPL' THEN '01' ELSE '02' END, l.obnm,
       CASE WHEN l.funo = 'APPL' THEN l.first_form ELSE '' END, l.first_ver
FROM tmp_gen_leaf l JOIN tmp_obj o ON o.obnm = l.obnm;

INSERT INTO {{control}}.f9000 (tmtaskid, tmtasknm, tmtasktype, tmobnm, tmfmnm, tmvers,
                               tmuser, tmpid, tmjobn, tmupmj, tmupmt)
SELECT lpad(id::text, 10, '0'), name, type, obj, form, vers, 'JDE', 'P9000', 'DEPLOY01',
       CASE WHEN id < 1000000 THEN pg_temp.ja(-1800) ELSE pg_temp.ja(-pg_temp.ri(id, 801, 200, 2500)) END,
       CASE WHEN id < 1000000 THEN 103000 ELSE pg_temp.hms(id, 802, 8, 18) END
FROM tmp_task;
