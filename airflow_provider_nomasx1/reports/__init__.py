"""Reports built from the nomasx1 tables (no Airflow): ``nomasx1 report ...``.

:mod:`.writers` holds what every report writes with (csv, xlsx, html tables, the scope block, file
names, the atomic publish); each report is one module that gathers its rows (:mod:`.sod`,
:mod:`.licence`, :mod:`.directory`); :mod:`.queries` is how they read the tables.
"""
