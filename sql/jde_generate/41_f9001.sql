-- F9001 task relationships: parent -> child with presentation sequence, per task view (TRRLTYPE).
-- View 91 root = task 0000000001; view 93 root = task 0000000050 (reuses view-91 leaves).
CREATE TEMP TABLE tmp_rel (view text, parent int, child int, seq int);
INSERT INTO tmp_rel VALUES
('91', 1, 2, 1), ('91', 1, 3, 2), ('91', 1, 6, 3), ('91', 1, 7, 4), ('91', 1, 8, 5), ('91', 1, 10, 6),
('91', 1, 9, 7),
('91', 2, 20, 1),
('91', 3, 4, 1), ('91', 3, 5, 2),
('91', 4, 21, 1), ('91', 4, 22, 2), ('91', 4, 23, 3),
('91', 5, 24, 1), ('91', 5, 25, 2),
('91', 6, 26, 1), ('91', 6, 27, 2), ('91', 6, 28, 3),
('91', 7, 29, 1), ('91', 7, 30, 2), ('91', 7, 31, 3),
('91', 8, 32, 1), ('91', 8, 33, 2),
('91', 9, 34, 1), ('91', 9, 35, 2), ('91', 9, 36, 3),
('91', 10, 37, 1), ('91', 10, 38, 2),
('93', 50, 51, 1), ('93', 50, 52, 2), ('93', 50, 20, 3),
('93', 51, 22, 1), ('93', 51, 26, 2), ('93', 51, 27, 3),
('93', 52, 29, 1), ('93', 52, 31, 2);

INSERT INTO tmp_rel
SELECT '91', 1, 1000000 + s.idx * 1000, 100 + s.idx
FROM tmp_sy s WHERE EXISTS (SELECT 1 FROM tmp_gen_leaf l WHERE l.sy = s.sy)
UNION ALL
SELECT '91', 1000000 + s.idx * 1000, 1000000 + s.idx * 1000 + k, k
FROM tmp_sy s CROSS JOIN (VALUES (1), (2)) AS f(k)
WHERE EXISTS (SELECT 1 FROM tmp_gen_leaf l WHERE l.sy = s.sy)
UNION ALL
SELECT '91', 1000000 + s.idx * 1000 + CASE WHEN l.funo = 'APPL' THEN 1 ELSE 2 END, l.id, l.seq
FROM tmp_gen_leaf l JOIN tmp_sy s ON s.sy = l.sy;

INSERT INTO {{control}}.f9001 (trrltype, trparnttsk, trchildtsk, trprsseq, trfrmrel, trthrrel,
                               truser, trpid, trjobn, trupmj, trupmt)
SELECT view, lpad(parent::text, 10, '0'), lpad(child::text, 10, '0'), seq, 'E900', ' ',
       'JDE', 'P9000', 'DEPLOY01',
       CASE WHEN child < 1000000 THEN pg_temp.ja(-1800) ELSE pg_temp.ja(-pg_temp.ri(child, 811, 200, 2500)) END,
       CASE WHEN child < 1000000 THEN 103000 ELSE pg_temp.hms(child, 812, 8, 18) END
FROM tmp_rel;
