//! Where requests come from: open arrivals (a non-homogeneous Poisson
//! process sampled by thinning) and closed virtual users (k6-style stages).

use super::event::Event;
use super::request::{ReqKind, NO_VU};
use super::result::ErrorKind;
use super::sim::Simulation;
use crate::input::scenario::Workload;
use rand::Rng;
use rand_distr::Exp1;

/// The `(time, target)` changes of a closed workload: a ramp from `a` to
/// `b` users over `d` changes the target by one at each integer crossing of
/// the linear interpolation, as k6's ramping-vus executor does.
pub(crate) fn vu_plan(w: &Workload) -> Vec<(u64, u32)> {
    let Workload::Closed {
        start_users,
        stages,
        ..
    } = w
    else {
        return Vec::new();
    };
    let mut plan = vec![(0u64, *start_users)];
    let (mut t0, mut a) = (0u64, *start_users);
    for st in stages {
        let b = st.target;
        let d = st.duration_ns;
        if b != a {
            let span = a.abs_diff(b) as u128;
            for step in 1..=span {
                let t = t0 + (d as u128 * step / span) as u64;
                let target = if b > a {
                    a + step as u32
                } else {
                    a - step as u32
                };
                plan.push((t, target));
            }
        }
        t0 = t0.saturating_add(d);
        a = b;
    }
    plan
}

impl Simulation<'_> {
    pub(crate) fn start_workload(&mut self) {
        match &self.sc.workload {
            Workload::Open { .. } => {
                if let Some(t) = self.next_arrival_time() {
                    self.at(t, Event::Arrival);
                }
            }
            Workload::Closed { .. } => self.at(0, Event::VuTarget),
        }
    }

    /// Thinning (Lewis & Shedler) against the rate's maximum on the current
    /// knot interval: exact for piecewise-linear rates, and a constant rate
    /// costs one exponential draw per arrival.
    fn next_arrival_time(&mut self) -> Option<u64> {
        let Workload::Open { rate, .. } = &self.sc.workload else {
            return None;
        };
        let mut t = self.arrival_t;
        loop {
            if t > self.end_ns {
                return None;
            }
            let (window_end, bound) = rate.window(t);
            if bound <= 0.0 {
                if window_end == u64::MAX {
                    return None;
                }
                t = window_end;
                continue;
            }
            let e: f64 = self.arrival_rng.sample(Exp1);
            let gap = e * 1e9 / bound;
            let cand = if gap >= (u64::MAX - t) as f64 {
                u64::MAX
            } else {
                t + gap as u64
            };
            if cand >= window_end {
                // Memoryless: restart the draw at the window's end.
                t = window_end;
                continue;
            }
            t = cand;
            let r = rate.rate_at(t);
            if r >= bound || self.arrival_rng.random::<f64>() * bound < r {
                self.arrival_t = t;
                return Some(t);
            }
        }
    }

    pub(crate) fn on_arrival(&mut self) {
        let client = match &self.sc.workload {
            Workload::Open { clients, .. } if self.needs_client => {
                self.client_rng.random_range(0..*clients)
            }
            _ => 0,
        };
        self.spawn_request(client, NO_VU);
        if let Some(t) = self.next_arrival_time() {
            self.at(t, Event::Arrival);
        }
    }

    fn pick_class(&mut self) -> u16 {
        if self.class_cdf.len() == 1 {
            return 0;
        }
        let u: f64 = self.class_rng.random();
        let i = self.class_cdf.partition_point(|&c| c <= u);
        i.min(self.class_cdf.len() - 1) as u16
    }

    /// A new user-facing request enters its class's entry component.
    pub(crate) fn spawn_request(&mut self, client: u32, vu: u32) {
        let now = self.now();
        let class = self.pick_class();
        let measured = now >= self.warmup_ns;
        self.tick.offered += 1;
        if measured {
            self.offered += 1;
            self.class_counts[class as usize].0 += 1;
        }
        if self.reqs.live() >= self.sc.limits.max_in_flight {
            // Shed: capsim's own bound keeps memory finite under overload.
            self.tick.errors += 1;
            if measured {
                self.errors.add(ErrorKind::Overload);
                self.class_counts[class as usize].2 += 1;
            }
            if vu != NO_VU {
                self.vu_done(vu);
            }
            return;
        }
        let home = self.draw_home_region();
        let id = self.reqs.alloc();
        {
            let r = self.reqs.get_mut(id);
            r.home = home;
            r.region = home;
            r.kind = ReqKind::Request;
            r.class = class;
            r.op = self.sys.classes[class as usize].op;
            r.client = client;
            r.vu = vu;
            r.born = self.q.now();
            r.measured = measured;
        }
        self.in_system.incr(now);
        let entry = self.sys.classes[class as usize].entry;
        self.enter(id, entry);
    }

    /// Applies the next target change and schedules the one after.
    pub(crate) fn on_vu_target(&mut self) {
        let now = self.now();
        let Some(vus) = self.vus.as_mut() else { return };
        // Apply every change due now (ramps can put several at one instant).
        let mut starts = Vec::new();
        while vus.next < vus.plan.len() && vus.plan[vus.next].0 <= now {
            let target = vus.plan[vus.next].1;
            vus.next += 1;
            if target as usize > vus.running.len() {
                vus.running.resize(target as usize, false);
            }
            for v in vus.target..target {
                if !vus.running[v as usize] {
                    vus.running[v as usize] = true;
                    starts.push(v);
                }
            }
            vus.target = target;
            vus.peak = vus.peak.max(target);
        }
        let next = vus.plan.get(vus.next).map(|p| p.0);
        for v in starts {
            self.at(now, Event::VuWake(v));
        }
        if let Some(t) = next {
            self.at(t, Event::VuTarget);
        }
    }

    /// A virtual user starts an iteration, or stops if it was ramped down.
    pub(crate) fn on_vu_wake(&mut self, vu: u32) {
        let Some(vus) = self.vus.as_mut() else { return };
        if vu >= vus.target {
            vus.running[vu as usize] = false;
            return;
        }
        self.spawn_request(vu, vu);
    }

    /// A virtual user's request finished (either way): think, then loop.
    pub(crate) fn vu_done(&mut self, vu: u32) {
        let now = self.now();
        let Workload::Closed { think, .. } = &self.sc.workload else {
            return;
        };
        let Some(vus) = self.vus.as_mut() else { return };
        if vu >= vus.target {
            vus.running[vu as usize] = false;
            return;
        }
        let t = now.saturating_add(think.sample(&mut vus.think_rng));
        self.at(t, Event::VuWake(vu));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::model::dist::Dist;
    use crate::input::scenario::Stage;

    #[test]
    fn plan_ramps_one_user_at_a_time() {
        let w = Workload::Closed {
            think: Dist::Constant(0),
            start_users: 0,
            stages: vec![
                Stage {
                    duration_ns: 10,
                    target: 5,
                },
                Stage {
                    duration_ns: 10,
                    target: 5,
                },
                Stage {
                    duration_ns: 5,
                    target: 0,
                },
            ],
        };
        let plan = vu_plan(&w);
        assert_eq!(
            plan,
            vec![
                (0, 0),
                (2, 1),
                (4, 2),
                (6, 3),
                (8, 4),
                (10, 5),
                (21, 4),
                (22, 3),
                (23, 2),
                (24, 1),
                (25, 0)
            ]
        );
    }
}
