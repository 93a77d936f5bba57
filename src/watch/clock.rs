//! The event-time clock that drives bucket closing.
//!
//! Event time is the largest timestamp seen. When input stalls, the clock keeps moving with the
//! wall clock from the moment the last event arrived (`now = max event time + wall time since
//! then`), so that "spike ended" alerts still fire on a quiet stream instead of waiting for the
//! next line. Events without a timestamp are placed at the time of the timed event before them
//! in their chunk, or (leading a chunk) at the clock's current time; before any timestamp was
//! seen, at the wall-clock time.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

#[derive(Clone, Debug, Default)]
pub struct EventClock {
    max_time: Option<i64>,
    last_arrival: Option<Instant>,
}

/// Wall-clock time in epoch milliseconds.
pub fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl EventClock {
    /// Notes events that arrived at `wall`; `time` is the largest timestamp among them.
    pub fn arrived(&mut self, time: Option<i64>, wall: Instant) {
        if let Some(t) = time {
            self.max_time = Some(self.max_time.map_or(t, |m| m.max(t)));
        }
        self.last_arrival = Some(wall);
    }

    pub fn max_time(&self) -> Option<i64> {
        self.max_time
    }

    /// The event-time "now" at wall-clock instant `wall`.
    pub fn now(&self, wall: Instant) -> i64 {
        match (self.max_time, self.last_arrival) {
            (Some(t), Some(a)) => t + wall.saturating_duration_since(a).as_millis() as i64,
            (Some(t), None) => t,
            _ => wall_ms(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn stalled_input_advances_with_wall_time() {
        let mut c = EventClock::default();
        let t0 = Instant::now();
        c.arrived(Some(1_000_000), t0);
        c.arrived(Some(999_000), t0); // out of order: max stays
        assert_eq!(c.now(t0), 1_000_000);
        assert_eq!(c.now(t0 + Duration::from_secs(40)), 1_040_000);
        // New input resets the idle part.
        c.arrived(None, t0 + Duration::from_secs(50));
        assert_eq!(c.now(t0 + Duration::from_secs(50)), 1_000_000);
    }
}
