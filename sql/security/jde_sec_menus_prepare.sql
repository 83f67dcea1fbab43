DELETE FROM {{schema}}.jde_sec_menus WHERE apps_id = {{apps_id}};
