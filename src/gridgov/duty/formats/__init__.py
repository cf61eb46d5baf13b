"""Problem file formats: the Curtois & Qu benchmark text format and gridgov's own JSON/TOML."""
