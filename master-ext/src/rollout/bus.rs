//! The master's event bus as the rollout waits on it: events that do not
//! answer the current wait are kept (bounded) for the next one, so a health
//! report that arrives while the controller waits for another node is not lost.

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::master::Event;

/// Events kept for later waits, at most.
const BACKLOG: usize = 10_000;

pub struct Bus {
    rx: Receiver<Event>,
    backlog: Vec<Event>,
}

impl Bus {
    pub fn new(rx: Receiver<Event>) -> Bus {
        Bus {
            rx,
            backlog: Vec::new(),
        }
    }

    /// The first event `pick` accepts (backlog first), waiting at most
    /// until `deadline`; `tick` runs about every `every` while waiting and
    /// may end the wait with a value of its own (e.g. a job-cache lookup).
    pub fn wait<T>(
        &mut self,
        deadline: Instant,
        every: Duration,
        mut pick: impl FnMut(&Event) -> Option<T>,
        mut tick: impl FnMut() -> Option<T>,
    ) -> Option<T> {
        if let Some(i) = self.backlog.iter().position(|e| pick(e).is_some()) {
            let ev = self.backlog.remove(i);
            return pick(&ev);
        }
        let mut next_tick = Instant::now() + every;
        loop {
            let now = Instant::now();
            if now >= deadline {
                return tick();
            }
            if now >= next_tick {
                if let Some(v) = tick() {
                    return Some(v);
                }
                next_tick = now + every;
            }
            let wait = deadline.min(next_tick).saturating_duration_since(now);
            match self.rx.recv_timeout(wait) {
                Ok(ev) => match pick(&ev) {
                    Some(v) => return Some(v),
                    None => self.keep(ev),
                },
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    std::thread::sleep(wait);
                }
            }
        }
    }

    fn keep(&mut self, ev: Event) {
        let wanted = ev.tag.starts_with("salt/job/")
            || ev.tag.starts_with("salt/minion/")
            || ev.tag.starts_with("halite/");
        if !wanted || ev.tag.ends_with("/new") {
            return;
        }
        if self.backlog.len() >= BACKLOG {
            self.backlog.remove(0);
        }
        self.backlog.push(ev);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::mpsc::channel;

    fn ev(tag: &str) -> Event {
        Event {
            tag: tag.into(),
            data: json!({}),
        }
    }

    #[test]
    fn unpicked_events_wait_for_the_next_wait() {
        let (tx, rx) = channel();
        let mut bus = Bus::new(rx);
        tx.send(ev("halite/ostree/health")).unwrap();
        tx.send(ev("salt/job/1/ret/a")).unwrap();
        let soon = Instant::now() + Duration::from_secs(2);
        let every = Duration::from_secs(1);
        let got = bus.wait(
            soon,
            every,
            |e| (e.tag == "salt/job/1/ret/a").then_some(1),
            || None,
        );
        assert_eq!(got, Some(1));
        let got = bus.wait(
            soon,
            every,
            |e| (e.tag == "halite/ostree/health").then_some(2),
            || None,
        );
        assert_eq!(got, Some(2));
        let past = Instant::now();
        assert_eq!(bus.wait(past, every, |_| Some(3), || None), None);
        assert_eq!(bus.wait(past, every, |_| None::<i32>, || Some(4)), Some(4));
    }
}
