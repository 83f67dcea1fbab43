-- Keys and indexes, built after the rows (faster than maintaining them row by row). They also
-- prove the generator wrote unique keys. The generator then marks every table with a comment
-- (so a later run recognises and replaces it) and analyzes it. The transaction tables have no
-- index on their audit date (UPMJ), as in JDE: counting users by date is a full scan.
ALTER TABLE {{system}}.f0092 ADD PRIMARY KEY (uluser);
ALTER TABLE {{system}}.f00926 ADD PRIMARY KEY (auuser);
ALTER TABLE {{system}}.f95921 ADD PRIMARY KEY (rltorole, rlfrrole, rleffdate);
CREATE INDEX ON {{system}}.f95921 (rlfrrole);
ALTER TABLE {{system}}.f98owsec ADD PRIMARY KEY (scuser);
CREATE INDEX ON {{system}}.f9312 (shuser, shevtyp, shupmj);
ALTER TABLE {{system}}.f0093 ADD PRIMARY KEY (lluser, llll);
ALTER TABLE {{system}}.f0094 ADD PRIMARY KEY (lmll);
CREATE UNIQUE INDEX ON {{security}}.f00950 (fsuser, fsobnm, fsver, fsfmnm, fssety, fsdtai, fsfrdv);
CREATE INDEX ON {{security}}.f00950 (fsobnm);
ALTER TABLE {{object_librarian}}.f9860 ADD PRIMARY KEY (siobnm);
ALTER TABLE {{object_librarian}}.f9865 ADD PRIMARY KEY (swfmnm);
CREATE INDEX ON {{object_librarian}}.f9865 (swobnm);
ALTER TABLE {{central_objects}}.f983051 ADD PRIMARY KEY (vrpid, vrvers);
ALTER TABLE {{control}}.f9000 ADD PRIMARY KEY (tmtaskid);
ALTER TABLE {{control}}.f9001 ADD PRIMARY KEY (trrltype, trparnttsk, trchildtsk);
ALTER TABLE {{control}}.f0004 ADD PRIMARY KEY (dtsy, dtrt);
ALTER TABLE {{control}}.f0005 ADD PRIMARY KEY (drsy, drrt, drky);
ALTER TABLE {{data_dictionary}}.f9200 ADD PRIMARY KEY (frdtai);
ALTER TABLE {{data_dictionary}}.f9202 ADD PRIMARY KEY (frdtai, frlngp, frsyr);
ALTER TABLE {{data_dictionary}}.f9210 ADD PRIMARY KEY (frdtai);
ALTER TABLE {{data}}.f0101 ADD PRIMARY KEY (aban8);
ALTER TABLE {{data}}.f060116 ADD PRIMARY KEY (yaan8);
ALTER TABLE {{data}}.f01151 ADD PRIMARY KEY (eaan8, eaidln, earck7);

CREATE INDEX ON {{system}}.f98911 (ouuser, ouobnm);
ALTER TABLE {{data}}.f4101 ADD PRIMARY KEY (imitm);
ALTER TABLE {{data}}.f0411 ADD PRIMARY KEY (rpkco, rpdoc, rpdct, rpsfx);
ALTER TABLE {{data}}.f0911 ADD PRIMARY KEY (gldoc, gldct, glkco, gldgj, gljeln, gllt);
ALTER TABLE {{data}}.f03b11 ADD PRIMARY KEY (rpkco, rpdoc, rpdct, rpsfx);
ALTER TABLE {{data}}.f4211 ADD PRIMARY KEY (sdkcoo, sddoco, sddcto, sdlnid);
ALTER TABLE {{data}}.f4311 ADD PRIMARY KEY (pdkcoo, pddoco, pddcto, pdlnid);
ALTER TABLE {{data}}.f5501001 ADD PRIMARY KEY (q1ukid);
ALTER TABLE {{data}}.f559999 ADD PRIMARY KEY (q9ukid);
