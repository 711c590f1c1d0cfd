"""Interchange: the `supportdesk export`, `import` and `report` commands, built on the contexts' queries and
actions (this package owns no models)."""
