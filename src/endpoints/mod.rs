//! Per-route and per-upstream request statistics (interim: filled in by the endpoints work).

use serde::{Deserialize, Serialize};

use crate::record::{Event, Level};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EndpointTable {}

impl EndpointTable {
    pub fn observe(&mut self, _ev: &Event<'_>, _sig: u32, _level: Option<Level>) {}
    pub fn finish_chunk(&mut self, _res: i64) {}
    pub fn rebucket(&mut self, _from: i64, _to: i64) {}
    pub fn merge(&mut self, _other: EndpointTable, _sig_remap: &[u32]) {}
}
