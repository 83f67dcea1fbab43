-- Synthetic JDE generator: session helpers (pg_temp functions and reference lists).
-- Everything here lives in the session's temporary schema and disappears with the connection.
-- Tokens {{...}} are filled in by airflow_provider_nomasx1.demo.jde_generator (ints, dates, quoted names).

-- Deterministic pseudo-random number in [0, 1) for (n, salt) under the generator seed.
-- hashint8extended is integer arithmetic: the same on every platform and PostgreSQL >= 11.
CREATE OR REPLACE FUNCTION pg_temp.u(n bigint, salt int) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT ((hashint8extended(n, {{seed}}::bigint * 1000003 + salt) >> 11) & 9007199254740991)::float8
          / 9007199254740992.0 $$;

-- Deterministic integer in [lo, hi].
CREATE OR REPLACE FUNCTION pg_temp.ri(n bigint, salt int, lo int, hi int) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT lo + floor(pg_temp.u(n, salt) * (hi - lo + 1))::int $$;

-- Deterministic element of an array.
CREATE OR REPLACE FUNCTION pg_temp.pick(arr text[], n bigint, salt int) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT arr[1 + floor(pg_temp.u(n, salt) * cardinality(arr))::int] $$;

-- JDE Julian date CYYDDD of a date. Each helper references its argument once, so PostgreSQL
-- inlines it even when the argument is itself a hash expression (inlining is refused when an
-- expensive argument would be evaluated twice). STABLE, not IMMUTABLE: to_char is stable, and an
-- IMMUTABLE SQL function calling it would not be inlined.
CREATE OR REPLACE FUNCTION pg_temp.jd(d date) RETURNS int
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT to_char(d, 'YYYYDDD')::int - 1900000 $$;

-- Julian date of (as-of date + days); NULL days -> 0 (JDE "no date").
CREATE OR REPLACE FUNCTION pg_temp.ja(days int) RETURNS int
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT coalesce(to_char(DATE '{{as_of_date}}' + days, 'YYYYDDD')::int - 1900000, 0) $$;

-- Deterministic HHMMSS time with the hour in [h0, h1].
CREATE OR REPLACE FUNCTION pg_temp.hms(n bigint, salt int, h0 int, h1 int) RETURNS int
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT to_char(make_interval(secs => h0 * 3600 + floor(pg_temp.u(n, salt) * (h1 - h0 + 1) * 3600)),
                  'HH24MISS')::int $$;

-- Real JDE system (product) codes with a weight for how many objects each owns, and the
-- cumulative [lo, hi) interval used to pick one from a pseudo-random number.
CREATE TEMP TABLE tmp_sy AS
SELECT row_number() OVER (ORDER BY sy)::int AS idx, sy, descr, weight,
       (sum(weight) OVER (ORDER BY sy) - weight)::float8 / sum(weight) OVER () AS lo,
       (sum(weight) OVER (ORDER BY sy))::float8 / sum(weight) OVER () AS hi
FROM (VALUES
    ('00', 'Foundation Environment', 2), ('01', 'Address Book', 5),
    ('03B', 'Enhanced Accounts Receivable', 6), ('04', 'Accounts Payable', 7),
    ('05', 'Time and Labor', 2), ('06', 'Employee Information', 2), ('07', 'Payroll', 3),
    ('08', 'Human Resources', 3), ('09', 'General Accounting', 8), ('10', 'Financial Reporting', 2),
    ('12', 'Fixed Assets', 3), ('13', 'Equipment and Plant Management', 2),
    ('15', 'Real Estate Management', 2), ('17', 'Customer Service Management', 2),
    ('31', 'Shop Floor Management', 4), ('40', 'Inventory and Order Base', 3),
    ('41', 'Inventory Management', 6), ('42', 'Sales Order Management', 7), ('43', 'Procurement', 6),
    ('45', 'Advanced Pricing', 2), ('46', 'Warehouse Management', 3), ('48', 'Work Orders', 2),
    ('49', 'Transportation Management', 2), ('51', 'Job Cost', 2),
    ('52', 'Contract and Service Billing', 1), ('55', 'Customer Specific 55', 3),
    ('56', 'Customer Specific 56', 1), ('57', 'Customer Specific 57', 1),
    ('H90', 'Tools - Solution Explorer', 1), ('H95', 'Tools - Security and Development', 1)
) AS v(sy, descr, weight);

-- Word lists for names and descriptions: pg_temp.words('entity') is a constant array once
-- inlined, so pg_temp.pick(pg_temp.words(...), n, salt) stays cheap.
CREATE OR REPLACE FUNCTION pg_temp.words(kind text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE kind
    WHEN 'first' THEN ARRAY['Anna','Bruno','Carla','David','Emma','Felix','Grace','Hugo','Ines','Jonas','Karin','Louis',
    'Maria','Nina','Oscar','Paula','Quentin','Rosa','Samuel','Tara','Ugo','Vera','Walter','Xenia','Yann',
    'Zoe','Adele','Boris','Chloe','Dario','Elena','Fabien','Greta','Henri','Irene','Jules','Lena','Marc',
    'Nora','Pierre']
    WHEN 'last' THEN ARRAY['SMITH','JOHNSON','MARTIN','DUBOIS','GARCIA','MULLER','ROSSI','BERNARD','SCHMIDT','LOPEZ',
    'WILSON','MOREAU','FISCHER','BIANCHI','PETIT','WEBER','ROUX','TAYLOR','MARTINEZ','LEROY','WAGNER',
    'ROMANO','BROWN','FOURNIER','BECKER','COLOMBO','DAVIES','GIRARD','HOFFMANN','RICCI','EVANS','BONNET',
    'SCHULZ','MARINO','THOMAS','LAMBERT','KOCH','GRECO','WALKER','FONTAINE','RICHTER','BRUNO','WRIGHT',
    'CHEVALIER','KLEIN','GALLO','ROBERTS','FRANCOIS','WOLF','CONTI','HALL','MERCIER','NEUMANN','ESPOSITO',
    'GREEN','BLANC','SCHWARZ','COSTA','CLARK','GUERIN']
    WHEN 'entity' THEN ARRAY['Supplier','Voucher','Payment','Customer','Invoice','Receipt','Journal','Account','Ledger',
    'Budget','Asset','Item','Branch','Lot','Location','Order','Shipment','Route','Carrier','Contract',
    'Project','Job','Work Order','Routing','Bill of Material','Employee','Timecard','Benefit','Pay Cycle',
    'Tax Area','Currency','Exchange Rate','Price','Adjustment','Commission','Claim','Warranty','Equipment',
    'Lease','Tenant']
    WHEN 'appl' THEN ARRAY['Revisions','Inquiry','Entry','Workbench','Review','Maintenance','Approval','Master',
    'Status Change','Search']
    WHEN 'ube' THEN ARRAY['Report','Print','Update','Purge','Integrity Report','Batch Process','Extract','Post',
    'Reconciliation','Upload']
    WHEN 'tble' THEN ARRAY['Master','Detail File','Ledger','Header','Tag File','Work File','History','Balances',
    'Cross Reference','Constants']
    WHEN 'bsfn' THEN ARRAY['Validate','Get','Process','Edit','Calculate','Retrieve','Update','Format']
    WHEN 'udc' THEN ARRAY['Standard','Domestic','Export','Internal','External','Preferred','Obsolete','Regional',
    'Primary','Secondary','Seasonal','Special','Default','Manual','Automatic','Temporary']
END $$;

-- How the generated security slots of a principal turn into F00950 rows (by slot number mod 10):
-- 0..5 application record; 6,7 application + action records; 8 form-level action record
-- (applications) or version-level application record (batch); 9 application + version records.
CREATE TEMP TABLE tmp_slotkind (m int NOT NULL, kind text NOT NULL, sety text NOT NULL, funo text);
INSERT INTO tmp_slotkind VALUES
(0, 'obj', '1', NULL), (1, 'obj', '1', NULL), (2, 'obj', '1', NULL), (3, 'obj', '1', NULL),
(4, 'obj', '1', NULL), (5, 'obj', '1', NULL),
(6, 'obj', '1', NULL), (6, 'obj', '2', NULL), (7, 'obj', '1', NULL), (7, 'obj', '2', NULL),
(8, 'form', '2', 'APPL'), (8, 'ver', '1', 'UBE'),
(9, 'obj', '1', NULL), (9, 'ver', '1', NULL);
