"""Schema changes: operations (data), planner (pure diff), impact (row checks), applier (DDL)."""
