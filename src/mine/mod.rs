//! Template mining: masking variables in messages and clustering signatures into templates.
