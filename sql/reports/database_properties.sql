-- The database's properties on the report's as-of date.
SELECT db_name, dbid, db_unique_name, edition, full_version, product, database_role, open_mode, log_mode, cdb,
       host_name, instance_count, cpu_count, cpu_cores, cpu_sockets, total_users, open_users,
       oracle_maintained_users, data_guard, active_data_guard, user_pdbs, management_pack_access, cloud_package,
       size_gb, last_sample_date, refreshed_at
FROM {{schema}}.db_ora_properties
WHERE apps_id = :a AND as_of_date = :d;
