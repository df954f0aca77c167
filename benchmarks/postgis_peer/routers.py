PEER_APP = "postgis_peer"
PEER_DATABASE = "gis"


class PeerRouter:
    """The peer's model lives behind the `gis` connection (PostGIS backend); everything else on `default`."""

    def db_for_read(self, model, **hints):
        return PEER_DATABASE if model._meta.app_label == PEER_APP else None

    db_for_write = db_for_read

    def allow_migrate(self, db, app_label, **hints):
        return (app_label == PEER_APP) == (db == PEER_DATABASE)
