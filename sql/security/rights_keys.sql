-- The keys (object, form, version) each subject gets a right for: every key named by a
-- non-*ALL application or action record of one of its levels (sec_exp), plus sec_extra (menu
-- entries its roles may launch, objects bound to SoD activities).
DROP TABLE IF EXISTS pg_temp.sec_key;
CREATE TEMP TABLE sec_key AS
SELECT subject, o, f, v FROM sec_exp
UNION
SELECT subject, o, f, v FROM sec_extra;
ANALYZE sec_key;
