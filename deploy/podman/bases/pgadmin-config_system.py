# pgAdmin's system settings (read from /etc/pgadmin): a web server with logins,
# its data in /var/lib/pgadmin, no calls home.
SERVER_MODE = True
DATA_DIR = "/var/lib/pgadmin"
LOG_FILE = "/dev/null"
SQLITE_PATH = "/var/lib/pgadmin/pgadmin4.db"
SESSION_DB_PATH = "/var/lib/pgadmin/sessions"
STORAGE_DIR = "/var/lib/pgadmin/storage"
UPGRADE_CHECK_ENABLED = False
