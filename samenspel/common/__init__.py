"""Stage 0: what every stage may use and nothing of samenspel's own data flow: the problem
catalogue and error types (problems), writing files whole and only over samenspel's own
output (files), worker processes (parallel), the provenance recorded with every result
(provenance), the built-in files' paths (paths) and the jinja set-up of every page
(templating)."""
