-- SECURITY_USERS_DATA: address-book data of each user of security_users (run SECURITY_USERS first).
-- Inputs (raw text): src_profiles (F0092: language, date format, country), src_people (F0101 of
-- the profiles' address numbers), src_emails (F01151 of the same address numbers).
-- Rules: one row per user of security_users; search type (ABAT1) and business unit (ABMCU,
-- right-justified in JDE) trimmed; e-mail = an address whose type (EAETP) is in the application's
-- email_type_values.email (token email_type_email, default E) of the lowest who's who line
-- (EAIDLN), else any address of the lowest line (ties: alphabetical); category_codes = the
-- non-blank ABAC01..ABAC30 as {"ac01": "EU", ...} ({} when none is set, NULL without an F0101 row).
CREATE TEMP TABLE tmp_people ON COMMIT DROP AS
SELECT DISTINCT ON (p.address_number) p.*
FROM (
    SELECT nullif(pg_temp.jde_str(a.address_number), '')::numeric::bigint AS address_number,
           nullif(pg_temp.jde_str(a.search_type), '') AS search_type,
           nullif(pg_temp.jde_str(a.business_unit), '') AS business_unit,
           (SELECT coalesce(jsonb_object_agg(c.key, btrim(c.value)), '{}'::jsonb)
            FROM jsonb_each_text(to_jsonb(a)) AS c
            WHERE c.key ~ '^ac[0-9]{2}$' AND btrim(c.value) <> '') AS category_codes
    FROM src_people AS a
) AS p
WHERE p.address_number IS NOT NULL
ORDER BY p.address_number, p.search_type, p.business_unit;

CREATE TEMP TABLE tmp_emails ON COMMIT DROP AS
SELECT DISTINCT ON (e.address_number) e.address_number, e.email
FROM (
    SELECT nullif(pg_temp.jde_str(address_number), '')::numeric::bigint AS address_number,
           coalesce(nullif(pg_temp.jde_str(line), '')::numeric, 0) AS line,
           upper(pg_temp.jde_str(email_type)) IN {{email_type_email}} AS is_email,
           pg_temp.jde_str(email) AS email
    FROM src_emails
) AS e
WHERE e.address_number IS NOT NULL AND e.email <> ''
ORDER BY e.address_number, e.is_email DESC, e.line, e.email;

CREATE TEMP TABLE tmp_settings ON COMMIT DROP AS
SELECT DISTINCT ON (pg_temp.jde_str(user_id))
       pg_temp.jde_str(user_id) AS user_id,
       nullif(pg_temp.jde_str(language), '') AS language,
       nullif(pg_temp.jde_str(date_format), '') AS date_format,
       nullif(pg_temp.jde_str(country), '') AS country
FROM src_profiles
ORDER BY pg_temp.jde_str(user_id);

DELETE FROM {{schema}}.security_users_data WHERE apps_id = {{apps_id}};

-- count: security_users_data
INSERT INTO {{schema}}.security_users_data (
    apps_id, user_id, address_number, search_type, business_unit, email, language, date_format,
    country, category_codes, run_id)
SELECT {{apps_id}}, u.user_id, u.address_number, p.search_type, p.business_unit, e.email,
       s.language, s.date_format, s.country, p.category_codes, {{run_id}}
FROM {{schema}}.security_users AS u
LEFT JOIN tmp_people AS p ON p.address_number = u.address_number
LEFT JOIN tmp_emails AS e ON e.address_number = u.address_number
LEFT JOIN tmp_settings AS s ON s.user_id = u.user_id
WHERE u.apps_id = {{apps_id}};
