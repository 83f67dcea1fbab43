-- F9210 data field specifications. FRCDEC (display decimals) tells how many implied decimals a
-- stored math numeric carries: SAL '2' (5500000 = 55,000.00), PHRT '3', keys and counters '0'.
-- Strings and characters have a blank FRCDEC. Items with a UDC edit carry FRERUL 'UDC' and the
-- UDC system code / type in FRERO1 / FRERO2.
INSERT INTO {{data_dictionary}}.f9210 (frdtai, frclas, frdtat, frowtp, frdtas, frdtad, frpdta, frarrn, frdval,
                                       frlr, frcdec, frdrul, frdro1, frerul, frero1, frero2, frhlp1, frhlp2,
                                       frnnix, frnsy, frrls, fruser, frpid, frjobn, frupmj, frupmt)
SELECT alias,
       CASE dtat WHEN 'D' THEN 'DATEG' WHEN 'N' THEN 'NUMERIC' WHEN 'C' THEN 'FLAG' ELSE 'STRING' END,
       dtat,
       CASE dtat WHEN 'C' THEN 1 WHEN 'S' THEN 2 WHEN 'N' THEN 9 ELSE 11 END,
       size, coalesce(cdec, 0), '', 0, '', lr,
       coalesce(cdec::text, ' '),
       CASE WHEN lr = 'R' AND dtat = 'S' THEN '*RAB' ELSE '' END, '',
       CASE WHEN udc IS NOT NULL THEN 'UDC' ELSE '' END,
       coalesce(split_part(udc, '/', 1), ''), coalesce(split_part(udc, '/', 2), ''),
       '', '', 0, '', 'E920', 'JDE', 'P92001', 'DEPLOY01',
       pg_temp.ja(CASE WHEN n = 0 THEN -2600 ELSE -pg_temp.ri(n, 1311, 1, 2000) END), 110000
FROM tmp_dd;
