//! The router's side of job queues: a finished enqueue becomes a job (a
//! request of its own, with a `Job` frame while it holds a worker).

use super::super::event::Event;
use super::super::request::{Frame, ReqId, ReqKind};
use super::super::Simulation;
use crate::input::model::CompId;

impl Simulation<'_> {
    /// The enqueue finished: a job joins the queue (it keeps the class of
    /// the request that made it).
    pub(super) fn spawn_job(&mut self, parent: ReqId, comp: CompId) {
        let now = self.now();
        // The job acts for the parent's client: an `ip_hash` service it calls
        // hashes that client, not whatever a previous user of the slot left.
        let (class, region, client) = {
            let p = self.reqs.get(parent);
            (p.class, p.region, p.client)
        };
        let job = self.reqs.alloc();
        {
            let r = self.reqs.get_mut(job);
            r.kind = ReqKind::Job { queue: comp };
            r.class = class;
            r.client = client;
            r.region = region;
            r.home = region;
            r.op = self.sys.classes[class as usize].op;
            r.born = self.q.now();
            r.measured = now >= self.warmup_ns;
        }
        match self.queue(comp).offer(now, job) {
            Some(work) => self.start_job(job, comp, work),
            None => self.reqs.get_mut(job).queued_at = self.q.now(),
        }
    }

    /// The job holds a worker for `work` ns, then makes its calls.
    fn start_job(&mut self, job: ReqId, comp: CompId, work: u64) {
        let now = self.now();
        self.reqs.get_mut(job).stack.push(Frame::Job {
            comp,
            call_idx: 0,
            reps_left: 0,
        });
        self.at(now.saturating_add(work), Event::JobWorkDone(job));
    }

    /// The job made all its calls.
    pub(super) fn job_finished(&mut self, id: ReqId, comp: CompId) {
        self.release_worker(comp);
        let now = self.now();
        let r = self.reqs.get(id);
        let latency = r.measured.then(|| now - r.born.as_nanos());
        self.queue(comp).job_done(latency);
        self.reqs.release(id);
    }

    pub(super) fn release_worker(&mut self, comp: CompId) {
        let now = self.now();
        if let Some((next, work)) = self.queue(comp).release_worker(now) {
            let req = self.reqs.get_mut(next);
            req.wait_ns += now - req.queued_at.as_nanos();
            self.start_job(next, comp, work);
        }
    }
}
