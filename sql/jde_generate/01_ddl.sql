-- Synthetic JDE generator: the tables of JDE-SOURCE.md section 2 with JDE's physical conventions.
-- Strings are blank-padded char(n); Julian dates (CYYDDD) and times (HHMMSS) are numeric(6,0);
-- math numerics (address numbers, amounts, sizes) are numeric without scale, decimals implied by
-- the data dictionary (F9210.FRCDEC). JDE never stores NULL: every column is NOT NULL with a
-- blank / zero default. Keys and indexes are added after the rows (90_finish.sql).

-- ---------------------------------------------------------------- system (SY920)
CREATE TABLE {{system}}.f0092 (            -- Library Lists - User: user AND role profiles
    uluser   char(10)     NOT NULL DEFAULT ' ',  -- user or role id
    ulan8    numeric      NOT NULL DEFAULT 0,    -- address number (F0101.ABAN8); 0 for roles
    ulugrp   char(10)     NOT NULL DEFAULT ' ',  -- legacy group; '*ROLE' on role profiles
    ulll     char(10)     NOT NULL DEFAULT ' ',  -- default environment (library list)
    ulmnu    char(9)      NOT NULL DEFAULT ' ',  -- initial menu (legacy)
    ulfstp   char(1)      NOT NULL DEFAULT ' ',  -- fast path allowed
    ullngp   char(2)      NOT NULL DEFAULT ' ',  -- language
    ulfrmt   char(3)      NOT NULL DEFAULT ' ',  -- date format
    ulctr    char(3)      NOT NULL DEFAULT ' ',  -- country
    ulmuse   char(10)     NOT NULL DEFAULT ' ',  -- audit: changed by (ULUSER is the key)
    ulpid    char(10)     NOT NULL DEFAULT ' ',
    uljobn   char(10)     NOT NULL DEFAULT ' ',
    ulupmj   numeric(6,0) NOT NULL DEFAULT 0,
    ulupmt   numeric(6,0) NOT NULL DEFAULT 0
);

CREATE TABLE {{system}}.f00926 (           -- role description and role sequence
    auuser     char(10)     NOT NULL DEFAULT ' ',  -- role id
    auroledesc char(50)     NOT NULL DEFAULT ' ',
    auseqno    numeric      NOT NULL DEFAULT 0,    -- role sequence (evaluation order)
    auactinact char(1)      NOT NULL DEFAULT ' ',  -- '1' active, '0' inactive
    aumuse     char(10)     NOT NULL DEFAULT ' ',
    aupid      char(10)     NOT NULL DEFAULT ' ',
    aujobn     char(10)     NOT NULL DEFAULT ' ',
    auupmj     numeric(6,0) NOT NULL DEFAULT 0,
    auupmt     numeric(6,0) NOT NULL DEFAULT 0
);

CREATE TABLE {{system}}.f95921 (           -- role relationships (user -> role, role -> role)
    rlfrrole    char(10)     NOT NULL DEFAULT ' ',  -- the role
    rltorole    char(10)     NOT NULL DEFAULT ' ',  -- the member: user or role
    rleffdate   numeric(6,0) NOT NULL DEFAULT 0,    -- effective date
    rlexpirdate numeric(6,0) NOT NULL DEFAULT 0,    -- expiration date, 0 = never
    rlcustom    char(1)      NOT NULL DEFAULT ' ',  -- include in *ALL: '1' yes, '0' no
    rluser      char(10)     NOT NULL DEFAULT ' ',
    rlpid       char(10)     NOT NULL DEFAULT ' ',
    rljobn      char(10)     NOT NULL DEFAULT ' ',
    rlupmj      numeric(6,0) NOT NULL DEFAULT 0,
    rlupmt      numeric(6,0) NOT NULL DEFAULT 0
);

CREATE TABLE {{system}}.f98owsec (         -- sign-on security
    scuser     char(10)     NOT NULL DEFAULT ' ',
    scsecusr   char(10)     NOT NULL DEFAULT ' ',  -- system (database) user
    sceuser    char(2)      NOT NULL DEFAULT ' ',  -- '01' enabled, '02' disabled
    scseclst   numeric(6,0) NOT NULL DEFAULT 0,    -- last password change
    scsecfrq   numeric      NOT NULL DEFAULT 0,    -- password change frequency (days, 0 = never)
    scattempts numeric      NOT NULL DEFAULT 0,    -- allowed password attempts
    scmuse     char(10)     NOT NULL DEFAULT ' ',
    scpid      char(10)     NOT NULL DEFAULT ' ',
    scjobn     char(10)     NOT NULL DEFAULT ' ',
    scupmj     numeric(6,0) NOT NULL DEFAULT 0,
    scupmt     numeric(6,0) NOT NULL DEFAULT 0
);

CREATE TABLE {{system}}.f9312 (            -- security history
    shuser  char(10)     NOT NULL DEFAULT ' ',  -- user affected
    shevtyp char(3)      NOT NULL DEFAULT ' ',  -- UDC 98/ET: 01 sign-on, 02 sign-off, 03 password ...
    shusr0  char(10)     NOT NULL DEFAULT ' ',  -- user who performed the event
    shpid   char(10)     NOT NULL DEFAULT ' ',
    shjobn  char(10)     NOT NULL DEFAULT ' ',
    shupmj  numeric(6,0) NOT NULL DEFAULT 0,    -- event date
    shupmt  numeric(6,0) NOT NULL DEFAULT 0     -- event time
);

CREATE TABLE {{security}}.f00950 (         -- security workbench
    fsuser  char(10)     NOT NULL DEFAULT ' ',  -- user, role or *PUBLIC
    fsobnm  char(10)     NOT NULL DEFAULT ' ',  -- object or *ALL
    fsver   char(10)     NOT NULL DEFAULT ' ',  -- version, blank = all
    fsfmnm  char(10)     NOT NULL DEFAULT ' ',  -- form, blank = all
    fssety  char(1)      NOT NULL DEFAULT ' ',  -- security type
    fssy    char(4)      NOT NULL DEFAULT ' ',  -- system code of the object
    fsdtai  char(10)     NOT NULL DEFAULT ' ',  -- data item (row / column security)
    fsfrdv  char(40)     NOT NULL DEFAULT ' ',  -- from value (row security range, tab id ...)
    fsthdv  char(40)     NOT NULL DEFAULT ' ',  -- thru value
    fsrun   char(1)      NOT NULL DEFAULT ' ',  -- 'Y' allowed, 'N' secured, ' ' not applicable
    fsvwyn  char(1)      NOT NULL DEFAULT ' ',
    fsa     char(1)      NOT NULL DEFAULT ' ',
    fschng  char(1)      NOT NULL DEFAULT ' ',
    fsdlt   char(1)      NOT NULL DEFAULT ' ',
    fsiok   char(1)      NOT NULL DEFAULT ' ',
    fscopy  char(1)      NOT NULL DEFAULT ' ',
    fsscrl  char(1)      NOT NULL DEFAULT ' ',
    fsmuse  char(10)     NOT NULL DEFAULT ' ',
    fspid   char(10)     NOT NULL DEFAULT ' ',
    fsjobn  char(10)     NOT NULL DEFAULT ' ',
    fsupmj  numeric(6,0) NOT NULL DEFAULT 0,
    fsupmt  numeric(6,0) NOT NULL DEFAULT 0
);

CREATE TABLE {{system}}.f98911 (           -- Object Usage Tracking detail: one row per tracked access.
    -- The physical names are our reading of the Tools 9.2 layout (unverified, jde/catalogue.py F98911)
    ouobnm   char(10)     NOT NULL DEFAULT ' ',  -- object (application or batch program)
    oufmnm   char(10)     NOT NULL DEFAULT ' ',  -- form, blank for batch programs
    ouvers   char(10)     NOT NULL DEFAULT ' ',  -- version
    ouuser   char(10)     NOT NULL DEFAULT ' ',  -- user
    ourole   char(10)     NOT NULL DEFAULT ' ',  -- role signed in with, or *ALL
    ouenhv   char(10)     NOT NULL DEFAULT ' ',  -- environment (JPD920 ...)
    oupathcd char(10)     NOT NULL DEFAULT ' ',  -- path code (PD920 ...)
    oufuno   char(4)      NOT NULL DEFAULT ' ',  -- object type: APPL, UBE
    ouupmj   numeric(6,0) NOT NULL DEFAULT 0,    -- date of the access
    ouupmt   numeric(6,0) NOT NULL DEFAULT 0     -- time of the access
);

CREATE TABLE {{system}}.f0093 (            -- user / role environments
    lluser char(10) NOT NULL DEFAULT ' ',
    llll   char(10) NOT NULL DEFAULT ' '
);

CREATE TABLE {{system}}.f0094 (            -- environment master
    lmll   char(10) NOT NULL DEFAULT ' ',
    lmdl01 char(30) NOT NULL DEFAULT ' '
);

-- ---------------------------------------------------------------- object librarian (OL920)
CREATE TABLE {{object_librarian}}.f9860 (  -- object librarian master
    siobnm   char(10)     NOT NULL DEFAULT ' ',
    simd     char(60)     NOT NULL DEFAULT ' ',  -- description
    sisy     char(4)      NOT NULL DEFAULT ' ',  -- system code
    sisyr    char(4)      NOT NULL DEFAULT ' ',  -- reporting system code
    sifuno   char(4)      NOT NULL DEFAULT ' ',  -- APPL, UBE, TBLE, BSFN, BSVW
    sifunu   char(3)      NOT NULL DEFAULT ' ',  -- function use (164, 180, 210, 300, 310)
    sipfx    char(4)      NOT NULL DEFAULT ' ',  -- column prefix of a table
    sisrclng char(4)      NOT NULL DEFAULT ' ',  -- source language (C, NER)
    sicpyd   char(1)      NOT NULL DEFAULT ' ',
    sipardll char(10)     NOT NULL DEFAULT ' ',
    simid1   char(10)     NOT NULL DEFAULT ' ',  -- processing option template
    siapplid numeric      NOT NULL DEFAULT 0,
    sicato   char(10)     NOT NULL DEFAULT ' ',
    siuser   char(10)     NOT NULL DEFAULT ' ',
    sipid    char(10)     NOT NULL DEFAULT ' ',
    sijobn   char(10)     NOT NULL DEFAULT ' ',
    siupmj   numeric(6,0) NOT NULL DEFAULT 0,
    siupmt   numeric(6,0) NOT NULL DEFAULT 0
);

CREATE TABLE {{object_librarian}}.f9865 (  -- form information
    swfmnm    char(10)     NOT NULL DEFAULT ' ',
    swfmid    numeric      NOT NULL DEFAULT 0,
    swmd      char(60)     NOT NULL DEFAULT ' ',
    swfmpt    char(2)      NOT NULL DEFAULT ' ',  -- form type: BR browse, FI fix/inspect, HD, PC
    swsy      char(4)      NOT NULL DEFAULT ' ',
    swfuno    char(4)      NOT NULL DEFAULT ' ',
    swobnm    char(10)     NOT NULL DEFAULT ' ',  -- owning application
    swentrypt char(1)      NOT NULL DEFAULT ' ',  -- '1' entry point form
    swhelpid1 numeric      NOT NULL DEFAULT 0,
    swuser    char(10)     NOT NULL DEFAULT ' ',
    swpid     char(10)     NOT NULL DEFAULT ' ',
    swjobn    char(10)     NOT NULL DEFAULT ' ',
    swupmj    numeric(6,0) NOT NULL DEFAULT 0,
    swupmt    numeric(6,0) NOT NULL DEFAULT 0
);

-- ---------------------------------------------------------------- central objects (PD920)
CREATE TABLE {{central_objects}}.f983051 ( -- versions list
    vrpid       char(10)     NOT NULL DEFAULT ' ',  -- program (application or batch)
    vrvers      char(10)     NOT NULL DEFAULT ' ',  -- version (ZJDE0001, XJDE0001 ...)
    vrjd        char(50)     NOT NULL DEFAULT ' ',  -- version title
    vrchkoutsts char(1)      NOT NULL DEFAULT ' ',
    vruser      char(10)     NOT NULL DEFAULT ' ',
    vrjobn      char(10)     NOT NULL DEFAULT ' ',
    vrupmj      numeric(6,0) NOT NULL DEFAULT 0,
    vrupmt      numeric(6,0) NOT NULL DEFAULT 0
);

-- ---------------------------------------------------------------- control tables (PS920CTL / PRODCTL)
CREATE TABLE {{control}}.f9000 (           -- task master
    tmtaskid   char(20)     NOT NULL DEFAULT ' ',
    tmtasknm   char(40)     NOT NULL DEFAULT ' ',  -- task name (menu label)
    tmtasktype char(2)      NOT NULL DEFAULT ' ',  -- '01' interactive, '02' batch, '07' folder
    tmobnm     char(10)     NOT NULL DEFAULT ' ',
    tmfmnm     char(10)     NOT NULL DEFAULT ' ',
    tmvers     char(10)     NOT NULL DEFAULT ' ',
    tmuser     char(10)     NOT NULL DEFAULT ' ',
    tmpid      char(10)     NOT NULL DEFAULT ' ',
    tmjobn     char(10)     NOT NULL DEFAULT ' ',
    tmupmj     numeric(6,0) NOT NULL DEFAULT 0,
    tmupmt     numeric(6,0) NOT NULL DEFAULT 0
);

CREATE TABLE {{control}}.f9001 (           -- task relationships (menus of a task view)
    trrltype   char(10)     NOT NULL DEFAULT ' ',  -- task view ('91', '93')
    trparnttsk char(20)     NOT NULL DEFAULT ' ',
    trchildtsk char(20)     NOT NULL DEFAULT ' ',
    trprsseq   numeric      NOT NULL DEFAULT 0,    -- presentation sequence under the parent
    trfrmrel   char(10)     NOT NULL DEFAULT ' ',
    trthrrel   char(10)     NOT NULL DEFAULT ' ',
    truser     char(10)     NOT NULL DEFAULT ' ',
    trpid      char(10)     NOT NULL DEFAULT ' ',
    trjobn     char(10)     NOT NULL DEFAULT ' ',
    trupmj     numeric(6,0) NOT NULL DEFAULT 0,
    trupmt     numeric(6,0) NOT NULL DEFAULT 0
);

CREATE TABLE {{control}}.f0004 (           -- UDC types
    dtsy   char(4)      NOT NULL DEFAULT ' ',
    dtrt   char(2)      NOT NULL DEFAULT ' ',
    dtdl01 char(30)     NOT NULL DEFAULT ' ',
    dtuseq numeric      NOT NULL DEFAULT 0,
    dtucd1 char(1)      NOT NULL DEFAULT ' ',
    dtcdl  numeric      NOT NULL DEFAULT 0,    -- code length
    dtln2  char(1)      NOT NULL DEFAULT ' ',  -- second description line
    dtcnum char(1)      NOT NULL DEFAULT ' ',  -- numeric codes (right-justified keys)
    dtmrct char(1)      NOT NULL DEFAULT ' ',
    dtmrty char(1)      NOT NULL DEFAULT ' ',
    dtuser char(10)     NOT NULL DEFAULT ' ',
    dtpid  char(10)     NOT NULL DEFAULT ' ',
    dtupmj numeric(6,0) NOT NULL DEFAULT 0,
    dtjobn char(10)     NOT NULL DEFAULT ' ',
    dtupmt numeric(6,0) NOT NULL DEFAULT 0
);

CREATE TABLE {{control}}.f0005 (           -- UDC values
    drsy   char(4)      NOT NULL DEFAULT ' ',
    drrt   char(2)      NOT NULL DEFAULT ' ',
    drky   char(10)     NOT NULL DEFAULT ' ',  -- right-justified for numeric UDC types
    drdl01 char(30)     NOT NULL DEFAULT ' ',
    drdl02 char(30)     NOT NULL DEFAULT ' ',
    drsphd char(10)     NOT NULL DEFAULT ' ',  -- special handling
    drudco char(1)      NOT NULL DEFAULT ' ',
    drhrdc char(1)      NOT NULL DEFAULT ' ',  -- hard coded Y/N
    druser char(10)     NOT NULL DEFAULT ' ',
    drpid  char(10)     NOT NULL DEFAULT ' ',
    drupmj numeric(6,0) NOT NULL DEFAULT 0,
    drjobn char(10)     NOT NULL DEFAULT ' ',
    drupmt numeric(6,0) NOT NULL DEFAULT 0
);

-- ---------------------------------------------------------------- data dictionary (DD920)
CREATE TABLE {{data_dictionary}}.f9200 (   -- data item master
    frdtai char(10)     NOT NULL DEFAULT ' ',  -- alias
    frsy   char(4)      NOT NULL DEFAULT ' ',
    frsyr  char(4)      NOT NULL DEFAULT ' ',
    frgg   char(1)      NOT NULL DEFAULT ' ',  -- glossary group ('D' data item)
    fruser char(10)     NOT NULL DEFAULT ' ',
    frpid  char(10)     NOT NULL DEFAULT ' ',
    frupmj numeric(6,0) NOT NULL DEFAULT 0,
    frjobn char(10)     NOT NULL DEFAULT ' ',
    frupmt numeric(6,0) NOT NULL DEFAULT 0
);

CREATE TABLE {{data_dictionary}}.f9202 (   -- data item text (per language)
    frdtai char(10) NOT NULL DEFAULT ' ',
    frlngp char(2)  NOT NULL DEFAULT ' ',  -- language, blank = base
    frsyr  char(4)  NOT NULL DEFAULT ' ',
    frch1  char(30) NOT NULL DEFAULT ' ',  -- column headings
    frch2  char(30) NOT NULL DEFAULT ' ',
    frch3  char(30) NOT NULL DEFAULT ' ',
    frdscr char(40) NOT NULL DEFAULT ' '   -- row description
);

CREATE TABLE {{data_dictionary}}.f9210 (   -- data field specifications
    frdtai char(10)     NOT NULL DEFAULT ' ',
    frclas char(10)     NOT NULL DEFAULT ' ',  -- data item class
    frdtat char(1)      NOT NULL DEFAULT ' ',  -- type: S string, C character, N math numeric, D date
    frowtp numeric      NOT NULL DEFAULT 0,    -- runtime type: 1 char, 2 string, 9 math numeric, 11 date
    frdtas numeric      NOT NULL DEFAULT 0,    -- size
    frdtad numeric      NOT NULL DEFAULT 0,    -- data decimals
    frpdta char(10)     NOT NULL DEFAULT ' ',  -- parent data item
    frarrn numeric      NOT NULL DEFAULT 0,
    frdval char(40)     NOT NULL DEFAULT ' ',  -- default value
    frlr   char(1)      NOT NULL DEFAULT ' ',  -- justification: L left, R right
    frcdec char(1)      NOT NULL DEFAULT ' ',  -- display decimals (implied decimals of the stored number)
    frdrul char(6)      NOT NULL DEFAULT ' ',  -- display rule (UDC 98/DR)
    frdro1 char(40)     NOT NULL DEFAULT ' ',
    frerul char(6)      NOT NULL DEFAULT ' ',  -- edit rule
    frero1 char(40)     NOT NULL DEFAULT ' ',  -- edit rule parameter (UDC system code)
    frero2 char(40)     NOT NULL DEFAULT ' ',  -- edit rule parameter (UDC type)
    frhlp1 char(10)     NOT NULL DEFAULT ' ',
    frhlp2 char(10)     NOT NULL DEFAULT ' ',
    frnnix numeric      NOT NULL DEFAULT 0,
    frnsy  char(4)      NOT NULL DEFAULT ' ',
    frrls  char(10)     NOT NULL DEFAULT ' ',  -- release
    fruser char(10)     NOT NULL DEFAULT ' ',
    frpid  char(10)     NOT NULL DEFAULT ' ',
    frjobn char(10)     NOT NULL DEFAULT ' ',
    frupmj numeric(6,0) NOT NULL DEFAULT 0,
    frupmt numeric(6,0) NOT NULL DEFAULT 0
);

-- ---------------------------------------------------------------- business data (PS920DTA / PRODDTA)
CREATE TABLE {{data}}.f0101 (              -- address book master
    aban8  numeric      NOT NULL DEFAULT 0,
    abalky char(20)     NOT NULL DEFAULT ' ',
    abtax  char(20)     NOT NULL DEFAULT ' ',
    abalph char(40)     NOT NULL DEFAULT ' ',
    abdc   char(40)     NOT NULL DEFAULT ' ',
    abmcu  char(12)     NOT NULL DEFAULT ' ',  -- business unit, right-justified
    absic  char(10)     NOT NULL DEFAULT ' ',
    ablngp char(2)      NOT NULL DEFAULT ' ',
    abat1  char(3)      NOT NULL DEFAULT ' ',  -- search type: E employee, C customer, V supplier, X other
    abcm   char(2)      NOT NULL DEFAULT ' ',
    abtaxc char(1)      NOT NULL DEFAULT ' ',
    abac01 char(3) NOT NULL DEFAULT ' ', abac02 char(3) NOT NULL DEFAULT ' ', abac03 char(3) NOT NULL DEFAULT ' ',
    abac04 char(3) NOT NULL DEFAULT ' ', abac05 char(3) NOT NULL DEFAULT ' ', abac06 char(3) NOT NULL DEFAULT ' ',
    abac07 char(3) NOT NULL DEFAULT ' ', abac08 char(3) NOT NULL DEFAULT ' ', abac09 char(3) NOT NULL DEFAULT ' ',
    abac10 char(3) NOT NULL DEFAULT ' ', abac11 char(3) NOT NULL DEFAULT ' ', abac12 char(3) NOT NULL DEFAULT ' ',
    abac13 char(3) NOT NULL DEFAULT ' ', abac14 char(3) NOT NULL DEFAULT ' ', abac15 char(3) NOT NULL DEFAULT ' ',
    abac16 char(3) NOT NULL DEFAULT ' ', abac17 char(3) NOT NULL DEFAULT ' ', abac18 char(3) NOT NULL DEFAULT ' ',
    abac19 char(3) NOT NULL DEFAULT ' ', abac20 char(3) NOT NULL DEFAULT ' ', abac21 char(3) NOT NULL DEFAULT ' ',
    abac22 char(3) NOT NULL DEFAULT ' ', abac23 char(3) NOT NULL DEFAULT ' ', abac24 char(3) NOT NULL DEFAULT ' ',
    abac25 char(3) NOT NULL DEFAULT ' ', abac26 char(3) NOT NULL DEFAULT ' ', abac27 char(3) NOT NULL DEFAULT ' ',
    abac28 char(3) NOT NULL DEFAULT ' ', abac29 char(3) NOT NULL DEFAULT ' ', abac30 char(3) NOT NULL DEFAULT ' ',
    abalp1 char(40)     NOT NULL DEFAULT ' ',
    abuser char(10)     NOT NULL DEFAULT ' ',
    abpid  char(10)     NOT NULL DEFAULT ' ',
    abupmj numeric(6,0) NOT NULL DEFAULT 0,
    abjobn char(10)     NOT NULL DEFAULT ' ',
    abupmt numeric(6,0) NOT NULL DEFAULT 0
);

CREATE TABLE {{data}}.f060116 (            -- employee master (no UPMT column in JDE)
    yaan8  numeric      NOT NULL DEFAULT 0,
    yaalph char(40)     NOT NULL DEFAULT ' ',
    yaoemp char(8)      NOT NULL DEFAULT ' ',  -- alternate employee number
    yapast char(1)      NOT NULL DEFAULT ' ',  -- pay status: '0' active, 'T' terminated
    yadst  numeric(6,0) NOT NULL DEFAULT 0,    -- date started
    yadt   numeric(6,0) NOT NULL DEFAULT 0,    -- date terminated, 0 = employed
    yahmco char(5)      NOT NULL DEFAULT ' ',  -- home company
    yahmcu char(12)     NOT NULL DEFAULT ' ',  -- home business unit, right-justified
    yajbcd char(6)      NOT NULL DEFAULT ' ',
    yajbst char(4)      NOT NULL DEFAULT ' ',
    yaanpa numeric      NOT NULL DEFAULT 0,    -- supervisor address number
    yasal  numeric      NOT NULL DEFAULT 0,    -- annual salary, 2 implied decimals (F9210 SAL)
    yaphrt numeric      NOT NULL DEFAULT 0,    -- hourly rate, 3 implied decimals (F9210 PHRT)
    yauser char(10)     NOT NULL DEFAULT ' ',
    yapid  char(10)     NOT NULL DEFAULT ' ',
    yaupmj numeric(6,0) NOT NULL DEFAULT 0,
    yajobn char(10)     NOT NULL DEFAULT ' '
);

CREATE TABLE {{data}}.f01151 (             -- electronic addresses
    eaan8  numeric      NOT NULL DEFAULT 0,
    eaidln numeric      NOT NULL DEFAULT 0,    -- who's who line (0 = the entity)
    earck7 numeric      NOT NULL DEFAULT 0,    -- line number
    eaetp  char(4)      NOT NULL DEFAULT ' ',  -- 'E' e-mail
    eaemal char(256)    NOT NULL DEFAULT ' ',
    eauser char(10)     NOT NULL DEFAULT ' ',
    eapid  char(10)     NOT NULL DEFAULT ' ',
    eaupmj numeric(6,0) NOT NULL DEFAULT 0,
    eajobn char(10)     NOT NULL DEFAULT ' ',
    eaupmt numeric(6,0) NOT NULL DEFAULT 0
);

-- Transaction tables (licence usage: "transaction users" are the audit-column users of a module's
-- tables). A few key and business columns plus the standard audit columns; no index on UPMJ,
-- as in JDE, so counting users by date is a full scan.
CREATE TABLE {{data}}.f0411 (              -- accounts payable ledger (vouchers)
    rpkco  char(5)      NOT NULL DEFAULT ' ',  -- document company
    rpdoc  numeric      NOT NULL DEFAULT 0,    -- document (voucher) number
    rpdct  char(2)      NOT NULL DEFAULT ' ',  -- document type: PV voucher, PM manual payment
    rpsfx  char(3)      NOT NULL DEFAULT ' ',  -- pay item
    rpan8  numeric      NOT NULL DEFAULT 0,    -- supplier address number
    rpdivj numeric(6,0) NOT NULL DEFAULT 0,    -- invoice date
    rpag   numeric      NOT NULL DEFAULT 0,    -- gross amount, 2 implied decimals (F9210 AG)
    rpcrcd char(3)      NOT NULL DEFAULT ' ',  -- currency
    rpmcu  char(12)     NOT NULL DEFAULT ' ',  -- business unit, right-justified
    rppst  char(1)      NOT NULL DEFAULT ' ',  -- pay status: A approved, P paid
    rpuser char(10)     NOT NULL DEFAULT ' ',  -- audit: last changed by
    rppid  char(10)     NOT NULL DEFAULT ' ',  -- program: EP<app> interactive, R<ube> batch
    rpjobn char(10)     NOT NULL DEFAULT ' ',  -- workstation / server
    rpupmj numeric(6,0) NOT NULL DEFAULT 0,    -- date updated (0 = no date)
    rpupmt numeric(6,0) NOT NULL DEFAULT 0     -- time updated
);

CREATE TABLE {{data}}.f0911 (              -- account ledger (journal entry lines)
    glkco  char(5)      NOT NULL DEFAULT ' ',
    gldct  char(2)      NOT NULL DEFAULT ' ',  -- JE journal entry, PV voucher distribution ...
    gldoc  numeric      NOT NULL DEFAULT 0,
    gldgj  numeric(6,0) NOT NULL DEFAULT 0,    -- GL date
    gljeln numeric      NOT NULL DEFAULT 0,    -- line number, 1 implied decimal (10 = 1.0)
    gllt   char(2)      NOT NULL DEFAULT ' ',  -- ledger type (AA actual amounts)
    glani  char(29)     NOT NULL DEFAULT ' ',  -- account number as entered (BU.object.subsidiary)
    glmcu  char(12)     NOT NULL DEFAULT ' ',
    glaa   numeric      NOT NULL DEFAULT 0,    -- amount, 2 implied decimals
    glexa  char(30)     NOT NULL DEFAULT ' ',  -- explanation
    glpost char(1)      NOT NULL DEFAULT ' ',  -- posted code: P posted, blank unposted
    gluser char(10)     NOT NULL DEFAULT ' ',  -- audit: last changed by
    glpid  char(10)     NOT NULL DEFAULT ' ',  -- program: EP<app> interactive, R<ube> batch
    gljobn char(10)     NOT NULL DEFAULT ' ',  -- workstation / server
    glupmj numeric(6,0) NOT NULL DEFAULT 0,    -- date updated (0 = no date)
    glupmt numeric(6,0) NOT NULL DEFAULT 0     -- time updated
);

CREATE TABLE {{data}}.f03b11 (             -- customer ledger (AR invoices); JDE uses prefix RP, as F0411
    rpkco  char(5)      NOT NULL DEFAULT ' ',
    rpdoc  numeric      NOT NULL DEFAULT 0,
    rpdct  char(2)      NOT NULL DEFAULT ' ',  -- RI invoice, RM credit memo
    rpsfx  char(3)      NOT NULL DEFAULT ' ',
    rpan8  numeric      NOT NULL DEFAULT 0,    -- customer address number
    rpdivj numeric(6,0) NOT NULL DEFAULT 0,
    rpag   numeric      NOT NULL DEFAULT 0,
    rpcrcd char(3)      NOT NULL DEFAULT ' ',
    rpmcu  char(12)     NOT NULL DEFAULT ' ',
    rppst  char(1)      NOT NULL DEFAULT ' ',  -- A open, P paid
    rpuser char(10)     NOT NULL DEFAULT ' ',  -- audit: last changed by
    rppid  char(10)     NOT NULL DEFAULT ' ',  -- program: EP<app> interactive, R<ube> batch
    rpjobn char(10)     NOT NULL DEFAULT ' ',  -- workstation / server
    rpupmj numeric(6,0) NOT NULL DEFAULT 0,    -- date updated (0 = no date)
    rpupmt numeric(6,0) NOT NULL DEFAULT 0     -- time updated
);

CREATE TABLE {{data}}.f4211 (              -- sales order detail
    sdkcoo char(5)      NOT NULL DEFAULT ' ',  -- order company
    sddoco numeric      NOT NULL DEFAULT 0,    -- order number
    sddcto char(2)      NOT NULL DEFAULT ' ',  -- order type: SO
    sdlnid numeric      NOT NULL DEFAULT 0,    -- line number, 3 implied decimals (1000 = 1.000)
    sdmcu  char(12)     NOT NULL DEFAULT ' ',
    sdan8  numeric      NOT NULL DEFAULT 0,    -- sold to (customer)
    sditm  numeric      NOT NULL DEFAULT 0,    -- short item number (F4101.IMITM)
    sdlitm char(25)     NOT NULL DEFAULT ' ',  -- second item number
    sduorg numeric      NOT NULL DEFAULT 0,    -- quantity ordered
    sdaexp numeric      NOT NULL DEFAULT 0,    -- extended price, 2 implied decimals
    sdlttr char(3)      NOT NULL DEFAULT ' ',  -- last status
    sdnxtr char(3)      NOT NULL DEFAULT ' ',  -- next status
    sdtrdj numeric(6,0) NOT NULL DEFAULT 0,    -- order date
    sduser char(10)     NOT NULL DEFAULT ' ',  -- audit: last changed by
    sdpid  char(10)     NOT NULL DEFAULT ' ',  -- program: EP<app> interactive, R<ube> batch
    sdjobn char(10)     NOT NULL DEFAULT ' ',  -- workstation / server
    sdupmj numeric(6,0) NOT NULL DEFAULT 0,    -- date updated (0 = no date)
    sdupmt numeric(6,0) NOT NULL DEFAULT 0     -- time updated
);

CREATE TABLE {{data}}.f4311 (              -- purchase order detail
    pdkcoo char(5)      NOT NULL DEFAULT ' ',
    pddoco numeric      NOT NULL DEFAULT 0,
    pddcto char(2)      NOT NULL DEFAULT ' ',  -- OP purchase order
    pdlnid numeric      NOT NULL DEFAULT 0,
    pdmcu  char(12)     NOT NULL DEFAULT ' ',
    pdan8  numeric      NOT NULL DEFAULT 0,    -- supplier
    pditm  numeric      NOT NULL DEFAULT 0,
    pdlitm char(25)     NOT NULL DEFAULT ' ',
    pduorg numeric      NOT NULL DEFAULT 0,
    pdaexp numeric      NOT NULL DEFAULT 0,
    pdlttr char(3)      NOT NULL DEFAULT ' ',
    pdnxtr char(3)      NOT NULL DEFAULT ' ',
    pdtrdj numeric(6,0) NOT NULL DEFAULT 0,
    pduser char(10)     NOT NULL DEFAULT ' ',  -- audit: last changed by
    pdpid  char(10)     NOT NULL DEFAULT ' ',  -- program: EP<app> interactive, R<ube> batch
    pdjobn char(10)     NOT NULL DEFAULT ' ',  -- workstation / server
    pdupmj numeric(6,0) NOT NULL DEFAULT 0,    -- date updated (0 = no date)
    pdupmt numeric(6,0) NOT NULL DEFAULT 0     -- time updated
);

CREATE TABLE {{data}}.f4101 (              -- item master
    imitm  numeric      NOT NULL DEFAULT 0,    -- short item number
    imlitm char(25)     NOT NULL DEFAULT ' ',  -- second item number
    imdsc1 char(30)     NOT NULL DEFAULT ' ',  -- description
    imstkt char(1)      NOT NULL DEFAULT ' ',  -- stocking type: S stocked, N non-stock
    imuom1 char(2)      NOT NULL DEFAULT ' ',  -- primary unit of measure
    imglpt char(4)      NOT NULL DEFAULT ' ',  -- GL class
    imuser char(10)     NOT NULL DEFAULT ' ',  -- audit: last changed by
    impid  char(10)     NOT NULL DEFAULT ' ',  -- program: EP<app> interactive, R<ube> batch
    imjobn char(10)     NOT NULL DEFAULT ' ',  -- workstation / server
    imupmj numeric(6,0) NOT NULL DEFAULT 0,    -- date updated (0 = no date)
    imupmt numeric(6,0) NOT NULL DEFAULT 0     -- time updated
);

CREATE TABLE {{data}}.f5501001 (           -- custom (system 55) approval log
    q1ukid numeric      NOT NULL DEFAULT 0,    -- unique key
    q1kco  char(5)      NOT NULL DEFAULT ' ',
    q1doc  numeric      NOT NULL DEFAULT 0,    -- approved voucher (F0411.RPDOC)
    q1dct  char(2)      NOT NULL DEFAULT ' ',
    q1an8  numeric      NOT NULL DEFAULT 0,
    q1ev01 char(1)      NOT NULL DEFAULT ' ',  -- A approved, R rejected
    q1dsc1 char(30)     NOT NULL DEFAULT ' ',  -- comment
    q1user char(10)     NOT NULL DEFAULT ' ',  -- audit: last changed by
    q1pid  char(10)     NOT NULL DEFAULT ' ',  -- program: EP<app> interactive, R<ube> batch
    q1jobn char(10)     NOT NULL DEFAULT ' ',  -- workstation / server
    q1upmj numeric(6,0) NOT NULL DEFAULT 0,    -- date updated (0 = no date)
    q1upmt numeric(6,0) NOT NULL DEFAULT 0     -- time updated
);

CREATE TABLE {{data}}.f559999 (            -- custom (system 55) interface staging: NO audit columns
    q9ukid numeric      NOT NULL DEFAULT 0,
    q9edbt char(15)     NOT NULL DEFAULT ' ',  -- batch number
    q9edsp char(1)      NOT NULL DEFAULT ' ',  -- processed: Y yes, N no (error), blank waiting
    q9doc  numeric      NOT NULL DEFAULT 0,
    q9dct  char(2)      NOT NULL DEFAULT ' ',
    q9an8  numeric      NOT NULL DEFAULT 0,
    q9ag   numeric      NOT NULL DEFAULT 0
);
