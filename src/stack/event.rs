//! The closed set of events the stack schedules. Small (16 bytes) and
//! `Copy`, so the kernel's heap moves no pointers and allocates nothing.

use super::request::ReqId;
use crate::input::model::CompId;

#[derive(Clone, Copy, Debug)]
pub enum Event {
    /// The next open-workload arrival.
    Arrival,
    /// Virtual user `0` starts its next iteration.
    VuWake(u32),
    /// The closed workload's target user count changes (next plan entry).
    VuTarget,
    /// FCFS CPU burst of a request finished.
    CpuDone(ReqId),
    /// Processor-sharing completion check on a replica (stale if the epoch moved).
    PsCheck {
        comp: CompId,
        replica: u32,
        epoch: u32,
    },
    /// A station finished serving a request.
    StationDone { req: ReqId, station: u32 },
    /// The proxy in front of a service gives up on a request.
    Timeout {
        req: ReqId,
        gen: u32,
        depth: u16,
        seq: u32,
    },
    /// A pool waiter's `wait_timeout` expires.
    PoolTimeout { req: ReqId, gen: u32, ticket: u32 },
    /// A pool checks whether its oldest waiter qualifies for the reserve.
    PoolReserve { comp: CompId },
    /// A job's own work on a worker finished.
    JobWorkDone(ReqId),
    /// An autoscaler's reconcile.
    ScalerTick { comp: CompId },
    /// A starting replica passes readiness and joins the balancer.
    ReplicaReady { comp: CompId, replica: u32 },
    /// A draining replica's grace period ends.
    DrainDeadline { comp: CompId, replica: u32 },
    /// A schedule rule of an autoscaler takes effect.
    ScheduleChange { comp: CompId, index: u32 },
    /// A spot interruption hits one replica of a service.
    SpotInterrupt { comp: CompId },
    /// Scenario event `0` starts.
    Chaos(u32),
    /// Scenario event `0` ends (for events with a duration).
    ChaosEnd(u32),
    /// A request crossing regions arrives at `Request::hop_to`.
    HopArrive(ReqId),
    /// A response crossing regions back arrives.
    HopReturn(ReqId),
    /// End of a reporting interval.
    Tick,
    /// End of the warm-up: statistics start here.
    WarmupEnd,
}

// The kernel's heap moves events by value: keep them at 16 bytes (a request
// id, a generation and a small field or two). A variant that needs more
// belongs in the arena, addressed by id.
const _: () = assert!(std::mem::size_of::<Event>() == 16);
