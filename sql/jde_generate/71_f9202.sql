-- F9202 data item text: base language (FRLNGP blank) for every item, French for a few.
INSERT INTO {{data_dictionary}}.f9202 (frdtai, frlngp, frsyr, frch1, frch2, frch3, frdscr)
SELECT alias, ' ', sy, split_part(descr, ' ', 1), split_part(descr, ' ', 2),
       left(split_part(descr, ' ', 3) || ' ' || split_part(descr, ' ', 4), 30), left(descr, 40)
FROM tmp_dd
UNION ALL
SELECT alias, 'F', sy, split_part(french, ' ', 1), split_part(french, ' ', 2), '', left(french, 40)
FROM tmp_dd WHERE french IS NOT NULL;
