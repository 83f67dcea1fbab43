-- Helper: the named fixtures (identical in every profile and for every seed; dates are relative
-- to the as-of date). docs/synthetic-jde.md explains what each one exercises.
CREATE TEMP TABLE tmp_fx_role (id text PRIMARY KEY, descr text NOT NULL, seq int NOT NULL);
INSERT INTO tmp_fx_role VALUES
('SYSADMIN', 'System Administrator',        5),
('APCLERK',  'Accounts Payable Clerk',      10),
('APSUPER',  'Accounts Payable Supervisor', 20),
('GLACCT',   'General Ledger Accountant',   30),
('SALESREP', 'Sales Representative',        40),
('PURCHASE', 'Purchasing Agent',            50),
('AUDITRO',  'Auditor - Read Only',         60),
('ALLFIN',   'All Finance (composite role)', 70);

CREATE TEMP TABLE tmp_fx_user (
    id       text PRIMARY KEY,
    an8      int  NOT NULL,
    first    text NOT NULL,
    last     text NOT NULL,
    created  int  NOT NULL,   -- days before as-of (F9312 event 05, audit dates)
    sceuser  text,            -- F98OWSEC status; NULL = no sign-on record
    seclst   int,             -- last password change, days relative to as-of
    secfrq   int,             -- password change frequency in days
    abat1    text NOT NULL,   -- F0101 search type
    started  int,             -- F060116 start date (days), NULL = no employee record
    termin   int              -- F060116 termination date (days), NULL = still employed
);
INSERT INTO tmp_fx_user VALUES
('JDE',      1,    'JDE',     'SYSTEM ACCOUNT', -3000, '01', -100, 0,   'X', NULL,  NULL),
('ADMIN1',   1001, 'Alice',   'ADMIN',          -2500, '01', -20,  90,  'E', -4000, NULL),
('AUDITOR1', 1002, 'Arthur',  'AUDITOR',        -1200, '01', -40,  90,  'E', -3000, NULL),
('APCLRK1',  1003, 'Paula',   'PAYABLES',       -1100, '01', -10,  90,  'E', -2000, NULL),
('APCLRK2',  1004, 'Peter',   'PAYABLES',       -1000, '01', -80,  90,  'E', -1900, NULL),
('APMGR1',   1005, 'Monica',   'MANAGER',       -1500, '01', -45,  60,  'E', -5000, NULL),
('GLUSER1',  1006, 'Gary',    'LEDGER',         -900,  '01', -30,  90,  'E', -1500, NULL),
('SALES1',   1007, 'Sam',     'SELLER',         -800,  '01', -60,  90,  'E', -1200, NULL),
('SALES2',   1007, 'Sam',     'SELLER',         -300,  '01', -60,  90,  'E', -1200, NULL),
('BUYER1',   1009, 'Bianca',  'BUYER',          -1300, '02', -120, 90,  'E', -2200, NULL),
('DORMANT1', 1010, 'Dora',    'SLEEPER',        -1400, '01', -200, 90,  'E', -2600, NULL),
('NEVERIN',  1011, 'Nathan',  'NEWCOMER',       -20,   '01', -20,  90,  'E', -25,   NULL),
('NOROLE1',  1012, 'Nora',    'NOROLE',         -600,  '01', -15,  90,  'E', -900,  NULL),
('NESTED1',  1013, 'Ned',     'NESTED',         -400,  '01', -7,   90,  'E', -700,  NULL),
('GHOSTED1', 1014, 'Gina',    'GHOST',          -1600, '01', -60,  90,  'E', -3300, NULL),
('LEAVER1',  1015, 'Leo',     'LEAVER',         -1700, '01', -70,  90,  'E', -3500, -60),
('PWDOLD1',  1016, 'Olga',    'OLDPASSWORD',    -1800, '01', -400, 90,  'E', -3600, NULL),
('MULTI1',   1017, 'Max',     'MULTIROLE',      -700,  '01', -1,   30,  'E', -1000, NULL),
('FORMUSR1', 1018, 'Fiona',   'FORMS',          -500,  '01', -4,   90,  'E', -800,  NULL),
('NOSIGNON', 1019, 'Nils',    'NOSIGNON',       -100,  NULL, NULL, NULL,'E', -120,  NULL);

-- F95921 fixture assignments (member = user or role). exp NULL = never expires.
CREATE TEMP TABLE tmp_fx_assign (
    role text NOT NULL, member text NOT NULL, eff int NOT NULL, exp int, incl text NOT NULL
);
INSERT INTO tmp_fx_assign VALUES
('SYSADMIN', 'JDE',      -2000, NULL, '1'),
('SYSADMIN', 'ADMIN1',   -900,  NULL, '1'),
('AUDITRO',  'AUDITOR1', -900,  -300, '1'),   -- old grant, expired ...
('AUDITRO',  'AUDITOR1', -300,  NULL, '1'),   -- ... re-granted the same day
('APSUPER',  'AUDITOR1', -300,  -30,  '1'),   -- expired 30 days ago
('APCLERK',  'APCLRK1',  -400,  NULL, '1'),
('GLACCT',   'APCLRK1',  -200,  NULL, '1'),
('APCLERK',  'APCLRK2',  -350,  NULL, '1'),
('APCLERK',  'APMGR1',   -500,  NULL, '1'),
('APSUPER',  'APMGR1',   10,    NULL, '1'),   -- future: effective in 10 days
('GLACCT',   'GLUSER1',  -250,  0,    '1'),   -- expires today (inactive from the start of as-of)
('SALESREP', 'GLUSER1',  -100,  1,    '1'),   -- expires tomorrow (as-of is its last day)
('SALESREP', 'SALES1',   -150,  NULL, '0'),   -- not included in *ALL
('SALESREP', 'SALES2',   -150,  NULL, '1'),
('PURCHASE', 'BUYER1',   -600,  NULL, '1'),
('AUDITRO',  'DORMANT1', -700,  NULL, '1'),
('SALESREP', 'NEVERIN',  -20,   NULL, '1'),
('ALLFIN',   'NESTED1',  -100,  NULL, '1'),
('OLDROLE',  'GHOSTED1', -800,  NULL, '1'),   -- role that does not exist
('AUDITRO',  'GHOSTED1', -50,   NULL, '1'),
('SALESREP', 'LEAVER1',  -400,  NULL, '1'),
('PURCHASE', 'PWDOLD1',  -365,  NULL, '1'),
('APCLERK',  'MULTI1',   -90,   NULL, '1'),
('GLACCT',   'MULTI1',   -90,   180,  '1'),
('SALESREP', 'MULTI1',   -90,   NULL, '0'),
('PURCHASE', 'MULTI1',   -90,   NULL, '1'),
('AUDITRO',  'MULTI1',   -90,   NULL, '1'),
('SALESREP', 'FORMUSR1', -60,   NULL, '1'),
('AUDITRO',  'NOSIGNON', -10,   NULL, '1'),
('ALLFIN',   'APCLERK',  -365,  NULL, '1'),   -- role in role
('ALLFIN',   'GLACCT',   -365,  NULL, '1');   -- role in role
