"""zonekg: a sourced knowledge graph of the China-Japan (Chengdu) zone."""
