-- The Oracle data dictionary views nomasx1-database-1 reads, emulated as PostgreSQL tables of the
-- same names and columns (Oracle's documentation; NUMBER -> numeric, VARCHAR2 -> varchar, DATE ->
-- timestamp(0), TIMESTAMP WITH TIME ZONE -> timestamptz, CLOB -> text), so the collector's SQL
-- runs unchanged on them (oracle/emulation.py, docs/database.md "Testing without Oracle").
-- Token: schema (quoted).
CREATE TABLE {{schema}}.dual (dummy varchar(1));
INSERT INTO {{schema}}.dual VALUES ('X');
CREATE TABLE {{schema}}."v$database" (
    dbid numeric, name varchar, db_unique_name varchar, created timestamp(0), log_mode varchar,
    open_mode varchar, database_role varchar, cdb varchar(3), con_id numeric, platform_name varchar,
    current_scn numeric, "RESETLOGS_CHANGE#" numeric, resetlogs_time timestamp(0),
    supplemental_log_data_min varchar(8) DEFAULT 'NO', supplemental_log_data_pk varchar(3) DEFAULT 'NO',
    supplemental_log_data_all varchar(3) DEFAULT 'NO');
CREATE TABLE {{schema}}."v$version" (banner varchar, banner_full varchar, banner_legacy varchar, con_id numeric);
CREATE TABLE {{schema}}."v$instance" (
    instance_number numeric, instance_name varchar, host_name varchar, version varchar, version_full varchar,
    startup_time timestamp(0), status varchar, database_type varchar, con_id numeric);
CREATE TABLE {{schema}}."gv$instance" (
    inst_id numeric, instance_number numeric, instance_name varchar, host_name varchar, version varchar,
    version_full varchar, startup_time timestamp(0), status varchar, database_type varchar, con_id numeric);
CREATE TABLE {{schema}}."v$option" (parameter varchar, value varchar, con_id numeric);
CREATE TABLE {{schema}}."gv$option" (inst_id numeric, parameter varchar, value varchar, con_id numeric);
CREATE TABLE {{schema}}."v$parameter" (
    num numeric, name varchar, type numeric, value varchar, display_value varchar, isdefault varchar, con_id numeric);
CREATE TABLE {{schema}}."gv$parameter" (
    inst_id numeric, num numeric, name varchar, type numeric, value varchar, display_value varchar,
    isdefault varchar, con_id numeric);
CREATE TABLE {{schema}}."v$osstat" (
    stat_name varchar, value numeric, osstat_id numeric, comments varchar, cumulative varchar, con_id numeric);
CREATE TABLE {{schema}}."v$license" (
    sessions_max numeric, sessions_warning numeric, sessions_current numeric, sessions_highwater numeric,
    cpu_count_current numeric, cpu_core_count_current numeric, cpu_socket_count_current numeric,
    cpu_count_highwater numeric, cpu_core_count_highwater numeric, cpu_socket_count_highwater numeric,
    users_max numeric, con_id numeric);
CREATE TABLE {{schema}}.dba_feature_usage_statistics (
    dbid numeric, name varchar, version varchar, detected_usages numeric, total_samples numeric,
    currently_used varchar(5), first_usage_date timestamp(0), last_usage_date timestamp(0), aux_count numeric,
    feature_info text, last_sample_date timestamp(0), last_sample_period numeric, sample_interval numeric,
    description varchar);
CREATE TABLE {{schema}}.cdb_feature_usage_statistics (
    dbid numeric, name varchar, version varchar, detected_usages numeric, total_samples numeric,
    currently_used varchar(5), first_usage_date timestamp(0), last_usage_date timestamp(0), aux_count numeric,
    feature_info text, last_sample_date timestamp(0), last_sample_period numeric, sample_interval numeric,
    description varchar, con_id numeric);
CREATE TABLE {{schema}}.dba_users (
    username varchar, user_id numeric, account_status varchar, lock_date timestamp(0), expiry_date timestamp(0),
    default_tablespace varchar, created timestamp(0), profile varchar, authentication_type varchar,
    common varchar(3), oracle_maintained varchar(1), last_login timestamptz);
CREATE TABLE {{schema}}.dba_segments (
    owner varchar, segment_name varchar, partition_name varchar, segment_type varchar, tablespace_name varchar,
    bytes numeric, blocks numeric);
CREATE TABLE {{schema}}.dba_objects (
    owner varchar, object_name varchar, subobject_name varchar, object_id numeric, data_object_id numeric,
    object_type varchar, created timestamp(0), last_ddl_time timestamp(0), status varchar, temporary varchar(1),
    generated varchar(1), oracle_maintained varchar(1));
CREATE TABLE {{schema}}.dba_tables (
    owner varchar, table_name varchar, tablespace_name varchar, partitioned varchar(3), compression varchar(8),
    compress_for varchar(30), iot_type varchar);
CREATE TABLE {{schema}}.dba_tab_partitions (
    table_owner varchar, table_name varchar, partition_name varchar, subpartition_count numeric,
    partition_position numeric, tablespace_name varchar, compression varchar(8), compress_for varchar(30));
CREATE TABLE {{schema}}.dba_aws (owner varchar, aw_number numeric, aw_name varchar);
CREATE TABLE {{schema}}."v$archive_dest" (
    dest_id numeric, dest_name varchar, status varchar, target varchar, destination varchar,
    db_unique_name varchar, valid_role varchar);
CREATE TABLE {{schema}}."v$archive_dest_status" (
    dest_id numeric, dest_name varchar, status varchar, type varchar, database_mode varchar,
    recovery_mode varchar, protection_mode varchar, db_unique_name varchar);
CREATE TABLE {{schema}}."v$containers" (con_id numeric, name varchar, open_mode varchar, restricted varchar(3));
CREATE TABLE {{schema}}.cdb_pdbs (pdb_id numeric, pdb_name varchar, dbid numeric, status varchar, con_id numeric);
CREATE TABLE {{schema}}.dba_data_files (file_name varchar, file_id numeric, tablespace_name varchar, bytes numeric);
