//! Tests for the mining module.
