-- Version 5: the file says it is a Comptoir database. `PRAGMA
-- application_id` is stored in the SQLite header (bytes 68-71), so Comptoir
-- recognises its own files before opening them read-write and refuses any
-- other SQLite file, untouched. "CMPT" in ASCII = 0x434D5054.
PRAGMA application_id = 1129140308;
