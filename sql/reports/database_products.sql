-- Every product's verdict; :findings true: only those with a finding, risks first.
SELECT l.product, l.product_kind, l.severity, l.finding, l.usage, l.used, l.evidence,
       l.first_usage_date, l.last_usage_date, l.features_used, l.entitled, l.component_id, c.name AS component
FROM {{schema}}.db_ora_licenses l
LEFT JOIN {{schema}}.settings_lic_components c ON c.component_id = l.component_id
WHERE l.apps_id = :a AND l.as_of_date = :d AND (NOT :findings OR l.severity IS NOT NULL)
ORDER BY array_position(ARRAY['risk', 'warning', 'information'], l.severity) NULLS LAST,
         array_position(ARRAY['option', 'pack', 'edition', 'other'], l.product_kind), NOT l.used,
         l.product;
