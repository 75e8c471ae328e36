//! The demo's federation part (not yet: see the report of issue 11).
