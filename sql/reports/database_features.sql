-- The ladder per feature row behind the verdicts, highest level first within a product.
SELECT product, feature_name, usage, condition, condition_met, detected_usages, currently_used, current_entry,
       con_id, version, first_usage_date, last_usage_date, left(feature_info, 300) AS feature_info
FROM {{schema}}.db_ora_license_features
WHERE apps_id = :a AND as_of_date = :d
ORDER BY product, array_position(ARRAY['CURRENT_USAGE', 'PAST_OR_CURRENT_USAGE', 'PAST_USAGE',
         'SUPPRESSED_DUE_TO_BUG', 'NO_CURRENT_USAGE', 'NO_PAST_USAGE'], usage), feature_name, con_id, version;
