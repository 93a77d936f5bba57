//! The per-condition state machine that keeps alerts from repeating.
//!
//! `Normal` → (start condition) → `Active` (one "start" alert) → (end condition) → `Cooling`
//! (one "end" alert) → back to `Normal` only after the start condition has stayed false for the
//! whole cool-down. A condition that starts again within the cool-down after its end extends
//! the cool-down instead of alerting again, so a flapping spike produces at most one start per
//! cool-down, not a storm; one that holds again, on events after the end, once a whole
//! cool-down has passed since the end alerts again (it came back: staying silent would hide
//! it for as long as it flaps).

/// Where a condition (a template spike, an upstream's timeouts, ...) is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Normal,
    /// Abnormal since `since` (event time, ms); `last_hot` is the end of the last bucket
    /// that was still abnormal.
    Active {
        since: i64,
        last_hot: i64,
    },
    /// Ended at `ended`; `quiet_since` is when the start condition was last true (or the end).
    Cooling {
        ended: i64,
        quiet_since: i64,
    },
}

/// What a step of the state machine asks the caller to report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    Start,
    End,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Condition {
    pub phase: Phase,
}

impl Default for Condition {
    fn default() -> Self {
        Condition {
            phase: Phase::Normal,
        }
    }
}

impl Condition {
    pub fn is_active(&self) -> bool {
        matches!(self.phase, Phase::Active { .. })
    }

    /// One evaluation at event time `now` (the end of the bucket just closed).
    /// `starts`: the start condition holds; `ended`: the end condition holds (only looked at
    /// while active); `onset`: when the abnormal period began (for `Active::since`).
    pub fn step(
        &mut self,
        now: i64,
        starts: bool,
        ended: bool,
        onset: i64,
        cooldown_ms: i64,
    ) -> Option<Transition> {
        match self.phase {
            Phase::Normal => {
                if starts {
                    self.phase = Phase::Active {
                        since: onset.min(now),
                        last_hot: now,
                    };
                    return Some(Transition::Start);
                }
                None
            }
            Phase::Active { since, last_hot } => {
                // The end rule has its own window; the start windows may still hold the
                // spike's events for minutes, which only delays a re-trigger (cool-down).
                if ended {
                    self.phase = Phase::Cooling {
                        ended: now,
                        quiet_since: now,
                    };
                    return Some(Transition::End);
                }
                let _ = last_hot;
                self.phase = Phase::Active {
                    since,
                    last_hot: now,
                };
                None
            }
            Phase::Cooling { ended, quiet_since } => {
                // Back after a whole cool-down, on events of its own: the window that fired
                // must begin after the end (else it is the ended spike's events again).
                if starts && now - ended >= cooldown_ms && onset >= ended {
                    self.phase = Phase::Active {
                        since: onset.min(now),
                        last_hot: now,
                    };
                    return Some(Transition::Start);
                }
                if starts {
                    self.phase = Phase::Cooling {
                        ended,
                        quiet_since: now,
                    };
                } else if now - quiet_since >= cooldown_ms {
                    self.phase = Phase::Normal;
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CD: i64 = 300_000;

    #[test]
    fn start_end_once_then_cooldown() {
        let mut c = Condition::default();
        assert_eq!(c.step(10_000, false, false, 0, CD), None);
        assert_eq!(
            c.step(20_000, true, false, 15_000, CD),
            Some(Transition::Start)
        );
        assert!(c.is_active());
        // Still abnormal: no repeat.
        assert_eq!(c.step(30_000, true, false, 25_000, CD), None);
        assert_eq!(c.step(40_000, false, false, 0, CD), None);
        assert_eq!(c.step(50_000, false, true, 0, CD), Some(Transition::End));
        // Flaps during the cool-down: no new start, and the cool-down restarts.
        assert_eq!(c.step(60_000, true, false, 60_000, CD), None);
        assert_eq!(c.step(60_000 + CD - 1, false, false, 0, CD), None);
        assert!(matches!(c.phase, Phase::Cooling { .. }));
        assert_eq!(c.step(60_000 + CD, false, false, 0, CD), None);
        assert_eq!(c.phase, Phase::Normal);
        assert_eq!(
            c.step(60_000 + CD + 10_000, true, false, 0, CD),
            Some(Transition::Start)
        );
    }

    #[test]
    fn a_condition_back_after_the_cool_down_alerts_again() {
        let mut c = Condition::default();
        assert_eq!(c.step(0, true, false, 0, CD), Some(Transition::Start));
        assert_eq!(c.step(60_000, false, true, 0, CD), Some(Transition::End));
        // It keeps coming back (every other minute): silent within the cool-down...
        let mut starts = Vec::new();
        for m in 2..=30i64 {
            let now = m * 60_000;
            let holds = m % 2 == 0;
            if let Some(tr) = c.step(now, holds, !holds && c.is_active(), now - 30_000, CD) {
                starts.push((now, tr));
            }
        }
        // ...but not for ever: at most one start per cool-down, each after an end.
        // (A window that still holds the ended spike's events is no comeback.)
        let mut d = Condition::default();
        d.step(0, true, false, 0, CD);
        d.step(60_000, false, true, 0, CD);
        assert_eq!(d.step(60_000 + CD, true, false, 30_000, CD), None);
        let n_starts = starts
            .iter()
            .filter(|(_, t)| *t == Transition::Start)
            .count();
        assert!((2..=6).contains(&n_starts), "{starts:?}");
        assert_eq!(starts[0], (6 * 60_000, Transition::Start), "{starts:?}");
        for w in starts.windows(2) {
            assert_ne!(w[0].1, w[1].1, "{starts:?}");
        }
    }

    #[test]
    fn start_keeps_onset() {
        let mut c = Condition::default();
        c.step(100_000, true, false, 70_000, CD);
        assert_eq!(
            c.phase,
            Phase::Active {
                since: 70_000,
                last_hot: 100_000
            }
        );
    }
}
