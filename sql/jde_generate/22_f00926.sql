-- F00926 role description and sequence (AUSEQNO): fixture roles then generated roles.
INSERT INTO {{system}}.f00926 (auuser, auroledesc, auseqno, auactinact, aumuse, aupid, aujobn, auupmj, auupmt)
SELECT id, descr, seq, '1', 'JDE', 'P0092', 'WEBSRV01', pg_temp.ja(-2400), 101500
FROM tmp_fx_role
UNION ALL
SELECT id, descr, seq, '1', 'ADMIN1', 'P0092', 'WEBSRV01',
       pg_temp.ja(-pg_temp.ri(r, 301, 200, 3000)), pg_temp.hms(r, 302, 8, 18)
FROM tmp_role;
