-- license_jde_user_transactions: per application, transacting user and system code (the table's
-- F9860 SISY, or its reclassification) over what license_jde_users holds (the window of the last
-- nomasx1-license-1 run): the tables written, the transactions, the first and last transaction
-- date, the licence component of the system code (settings_jde_sy), and whether the user is a
-- JDE account (security_users): an unknown user (deleted account, batch or proxy id) is kept
-- and flagged, never dropped. '' = a table without system code.
SELECT u.apps_id,
       u.user_id,
       coalesce(t.system_code, '') AS system_code,
       sy.component_id,
       count(DISTINCT u.schema_name || '.' || u.table_name) AS tables,
       sum(u.transactions)::bigint AS transactions,
       min(u.transaction_date) AS first_transaction,
       max(u.transaction_date) AS last_transaction,
       EXISTS (SELECT 1 FROM security_users AS k WHERE k.apps_id = u.apps_id AND k.user_id = u.user_id) AS known_user
FROM license_jde_users AS u
JOIN license_jde_tables AS t
  ON t.apps_id = u.apps_id AND t.schema_name = u.schema_name AND t.table_name = u.table_name
LEFT JOIN settings_jde_sy AS sy ON sy.system_code = t.system_code
GROUP BY u.apps_id, u.user_id, coalesce(t.system_code, ''), sy.component_id
