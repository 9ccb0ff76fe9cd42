"""samenspel: measure hybridisation between neighbourhood-team professionals and informal actors."""
